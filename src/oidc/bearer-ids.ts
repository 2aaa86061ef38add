/**
 * Bearer values are never stored as presented. Every model whose id is itself the credential
 * (an opaque access token, a refresh token, a code, a device code, a client-credentials token,
 * the session cookie) is stored under SHA-256 of the id (base64url), and so is the payload's
 * `jti`; the refresh guard's `rotatedFrom` is a stored id, so it is a digest as well. Whoever
 * reads the files or a backup learns digests, which the endpoints do not accept: they hash
 * what they are given.
 *
 * This sits between oidc-provider's adapter and the domain wrappers (refresh guard, session
 * activity), so those and the backends see stored ids only, and neither backend needs to know.
 *
 * Two models are also loaded by another key and then saved or passed on by their jti (Session
 * by uid, DeviceCode by user code, whose jti then travels through the Interaction to the device
 * resume). A digest cannot be turned back into the id, so those records also carry the id sealed
 * with KEY_ENCRYPTION_KEYS (keys/sealing.ts), opened only on those lookups.
 *
 * Upgrade: a record written before this (stored under its raw id, no `keyedBy` mark) is found by
 * its raw id once, re-keyed, and found by digest from then on, so nobody is signed out. A
 * refresh token's whole family is re-keyed at once, so reuse detection keeps seeing the chain.
 * A marked record is never found by its stored id: presenting a digest read from disk finds nothing.
 */
import { hash } from 'node:crypto';
import type { Sealer } from '../keys/sealing.ts';
import { epochSeconds } from '../platform/clock.ts';
import type { ModelPayload, ModelStore } from '../storage/port.ts';
import { copyPayload, overrideModel } from './model-view.ts';
import { ROTATED_FROM } from './refresh/replay.ts';

export const BEARER_MODELS: ReadonlySet<string> = new Set(['AccessToken', 'RefreshToken', 'AuthorizationCode', 'DeviceCode', 'ClientCredentials', 'Session']);

/** Models oidc-provider also finds by uid or user code, and then uses by jti. */
const FOUND_BY_OTHER_KEYS: ReadonlySet<string> = new Set(['Session', 'DeviceCode']);

/** Marks a record stored under a digest; its absence marks one written before. */
export const KEYED_BY = 'keyedBy';
const SEALED_ID = 'sealedId';
/** What only the store's copy carries: oidc-provider never sees these. */
const STORAGE_MARKS: ReadonlySet<string> = new Set([KEYED_BY, SEALED_ID]);

/** The id a bearer value is stored under (one-shot SHA-256: no Hash object per token). */
export function bearerKey(id: string): string {
  return hash('sha256', id, 'base64url');
}

export function hashBearerIds(model: string, view: ModelStore, raw: ModelStore, sealer: Sealer): ModelStore {
  const sealsId = FOUND_BY_OTHER_KEYS.has(model);

  /** `key` is bearerKey(id), computed once by the caller: it is both the stored id and the jti. */
  function toStored(id: string, key: string, payload: ModelPayload): ModelPayload {
    const stored: ModelPayload = { ...payload, jti: key, [KEYED_BY]: 'sha256' };
    if (sealsId) stored[SEALED_ID] = sealer.seal(id);
    return stored;
  }

  function toPresented(id: string, stored: ModelPayload): ModelPayload {
    return copyPayload(stored, { jti: id }, STORAGE_MARKS);
  }

  /** Writes a record of the old format under its digest; the raw store, so no wrapper acts on it. */
  async function rekey(id: string, legacy: ModelPayload): Promise<void> {
    const key = bearerKey(id);
    const stored = toStored(id, key, legacy);
    const from = legacy[ROTATED_FROM];
    if (typeof from === 'string') stored[ROTATED_FROM] = bearerKey(from);
    const expiresIn = typeof legacy.exp === 'number' ? Math.max(1, legacy.exp - epochSeconds()) : undefined;
    await raw.upsert(key, stored, expiresIn);
    await raw.destroy(id);
  }

  /** True when a record of the old format was found under `id` and now sits under its digest. */
  async function migrate(id: string): Promise<boolean> {
    const legacy = await raw.find(id);
    if (!legacy || legacy[KEYED_BY] !== undefined) return false;
    await rekey(id, legacy);
    if (model === 'RefreshToken' && typeof legacy.grantId === 'string') {
      for (const record of await raw.findByGrantId(legacy.grantId)) {
        if (record.id !== id && record.payload[KEYED_BY] === undefined) await rekey(record.id, record.payload);
      }
    }
    return true;
  }

  /** A record found by uid or user code: give oidc-provider back the id it was saved under. */
  async function foundByOtherKey(stored: ModelPayload | undefined): Promise<ModelPayload | undefined> {
    if (!stored) return undefined;
    if (stored[KEYED_BY] === undefined) {
      if (typeof stored.jti === 'string') await migrate(stored.jti);
      return stored;
    }
    const sealed = stored[SEALED_ID];
    if (typeof sealed !== 'string') return undefined;
    try {
      return toPresented(sealer.open(sealed), stored);
    } catch {
      // Sealed under a key-encryption key no longer configured: as good as gone.
      return undefined;
    }
  }

  return overrideModel(view, {
    upsert(id, payload, expiresIn) {
      const key = bearerKey(id);
      return view.upsert(key, toStored(id, key, payload), expiresIn);
    },
    async find(id) {
      const key = bearerKey(id);
      const stored = (await view.find(key)) ?? ((await migrate(id)) ? await view.find(key) : undefined);
      return stored && toPresented(id, stored);
    },
    findByUid: async (uid) => foundByOtherKey(await view.findByUid(uid)),
    findByUserCode: async (userCode) => foundByOtherKey(await view.findByUserCode(userCode)),
    consume: (id) => view.consume(bearerKey(id)),
    destroy: (id) => view.destroy(bearerKey(id)),
  });
}
