/**
 * Client secrets are sealed at rest with KEY_ENCRYPTION_KEYS (keys/sealing.ts), not hashed:
 * oidc-provider compares the clear secret and derives HS256 and symmetric encryption keys from
 * it, so it needs the value back. Sealed on every write, opened on every read, on both backends.
 *
 * The sealed value replaces `client_secret` in place (same key, same position), so the record
 * read back equals the one written and bootstrap's fingerprints still match. A record written
 * before this (clear secret) is accepted once and sealed where it lies.
 */
import type { Sealer } from '../keys/sealing.ts';
import type { ModelPayload, ModelStore } from '../storage/port.ts';
import { copyPayload, overrideModel } from './model-view.ts';

const SECRET = 'client_secret';
/**
 * Marks a sealed secret. Everything written through here is sealed, whatever it starts with;
 * only a record from before sealing whose clear secret began with this would be misread.
 */
export const SEALED_PREFIX = 'sealed:';

export class UnreadableClientSecret extends Error {
  override name = 'UnreadableClientSecret';
}

/**
 * `sealer` should remember what it opened (keys/sealing.ts rememberingSealer, as at-rest.ts
 * gives it): opening a secret (AES-GCM) on every token request costs more than the rest of the
 * lookup, and the clear secret is in this process's memory anyway while oidc-provider uses it.
 */
export function sealClientSecrets(view: ModelStore, raw: ModelStore, sealer: Sealer): ModelStore {
  // oidc-provider and bootstrap only ever hand this path clear metadata.
  function sealed(payload: ModelPayload): ModelPayload {
    const secret = payload[SECRET];
    if (typeof secret !== 'string') return payload;
    return copyPayload(payload, { [SECRET]: SEALED_PREFIX + sealer.seal(secret) });
  }

  function opened(clientId: string, stored: ModelPayload): ModelPayload {
    const secret = stored[SECRET] as string;
    try {
      return copyPayload(stored, { [SECRET]: sealer.open(secret.slice(SEALED_PREFIX.length)) });
    } catch {
      // Never fall back to the stored text: that would make the sealed form a working secret.
      throw new UnreadableClientSecret(`client ${clientId}: its secret is sealed with a key-encryption key that is not configured`);
    }
  }

  return overrideModel(view, {
    upsert: (id, payload, expiresIn) => view.upsert(id, sealed(payload), expiresIn),
    async find(id) {
      const stored = await view.find(id);
      if (!stored) return undefined;
      const secret = stored[SECRET];
      if (typeof secret !== 'string') return stored;
      if (secret.startsWith(SEALED_PREFIX)) return opened(id, stored);
      // Written before secrets were sealed: seal it where it lies, and serve it this once as is.
      await raw.upsert(id, sealed(stored));
      return stored;
    },
    // What find gives depends on the stored record alone (and the keys, fixed for the process).
    ...(view.revision ? { revision: (id: string) => view.revision?.(id) } : {}),
  });
}
