/**
 * The signing keys a Provider is built with. Order matters: oidc-provider signs with the first
 * key that fits the algorithm, so `current` keys come first; `next` and `previous` keys are listed
 * after them so they are published (and verify) without signing.
 */
import type { KeyRecord, KeyRepository } from '../storage/port.ts';
import { generateKeyRecord, type SigningAlg } from './generate.ts';
import type { Sealer } from './sealing.ts';

const PUBLISHED_ORDER: Record<string, number> = { current: 0, next: 1, previous: 2 };

export type PrivateJwk = Record<string, unknown> & { kid: string; alg: string };

/** Makes sure every algorithm has a current key (first start, or a newly enabled algorithm). */
export async function ensureCurrentKeys(repo: KeyRepository, sealer: Sealer, algs: readonly SigningAlg[], now = new Date()): Promise<KeyRecord[]> {
  const keys = await repo.list();
  for (const alg of algs) {
    if (!keys.some((key) => key.alg === alg && key.state === 'current')) {
      const record = await generateKeyRecord(alg, 'current', sealer, now);
      await repo.insert(record);
      keys.push(record);
    }
  }
  return keys;
}

export function publishedKeys(keys: KeyRecord[]): KeyRecord[] {
  return keys
    .filter((key) => key.state in PUBLISHED_ORDER)
    .sort(
      (a, b) =>
        (PUBLISHED_ORDER[a.state] ?? 9) - (PUBLISHED_ORDER[b.state] ?? 9) ||
        b.createdAt.getTime() - a.createdAt.getTime() ||
        a.kid.localeCompare(b.kid),
    );
}

export function privateJwks(keys: KeyRecord[], sealer: Sealer): PrivateJwk[] {
  return publishedKeys(keys).map((key) => JSON.parse(sealer.open(key.sealedPrivateJwk)) as PrivateJwk);
}
