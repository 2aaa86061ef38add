/**
 * The signing keys a Provider is built with. Order matters: oidc-provider signs with the first
 * key that fits the algorithm, so `current` keys come first (the most recently activated first,
 * should an interrupted rotation leave two); `next` and `previous` keys follow, published and
 * able to verify, never chosen to sign. `retired` and `revoked` keys are left out.
 */
import type { KeyRecord } from '../storage/port.ts';
import type { Sealer } from './sealing.ts';

const PUBLISHED_ORDER: Record<string, number> = { current: 0, next: 1, previous: 2 };

export type PrivateJwk = Record<string, unknown> & { kid: string; alg: string };

const since = (key: KeyRecord) => (key.activatesAt ?? key.createdAt).getTime();

export function publishedKeys(keys: readonly KeyRecord[]): KeyRecord[] {
  return keys
    .filter((key) => key.state in PUBLISHED_ORDER)
    .sort((a, b) => (PUBLISHED_ORDER[a.state] ?? 9) - (PUBLISHED_ORDER[b.state] ?? 9) || since(b) - since(a) || a.kid.localeCompare(b.kid));
}

export function privateJwks(keys: readonly KeyRecord[], sealer: Sealer): PrivateJwk[] {
  return publishedKeys(keys).map((key) => JSON.parse(sealer.open(key.sealedPrivateJwk)) as PrivateJwk);
}

const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']);

/** The public halves of a key set, as /jwks publishes them: what verifies our own tokens in process. */
export function publicJwks(keys: readonly PrivateJwk[]): Array<Record<string, unknown> & { kid: string; alg: string }> {
  return keys.map((key) => Object.fromEntries(Object.entries(key).filter(([name]) => !PRIVATE_MEMBERS.has(name))) as PrivateJwk);
}
