/**
 * An Interaction record carries two bearer values of other models: `session.cookie` (the
 * browser session's id, when someone is already signed in) and `deviceCode` (the device
 * flow's code, which the device resume looks up by). Stored as they are, they would undo the
 * digests of bearer-ids.ts for the hour an interaction lives, so they are sealed with
 * KEY_ENCRYPTION_KEYS on write and opened on read. Interactions written before this hold them
 * in clear and are read as they are (they expire within INTERACTION_TTL).
 */
import type { Sealer } from '../keys/sealing.ts';
import type { ModelPayload, ModelStore } from '../storage/port.ts';
import { overrideModel } from './model-view.ts';

const SEALED = 'sealed:';

type Transform = (value: string) => string | undefined;

function mapRefs(payload: ModelPayload, transform: Transform): ModelPayload {
  const result: ModelPayload = { ...payload };
  if (typeof payload.deviceCode === 'string') result.deviceCode = transform(payload.deviceCode);
  const session = payload.session as Record<string, unknown> | undefined;
  if (session && typeof session.cookie === 'string') result.session = { ...session, cookie: transform(session.cookie) };
  return result;
}

export function sealInteractionRefs(view: ModelStore, sealer: Sealer): ModelStore {
  const seal: Transform = (value) => SEALED + sealer.seal(value);
  const open: Transform = (value) => {
    if (!value.startsWith(SEALED)) return value;
    try {
      return sealer.open(value.slice(SEALED.length));
    } catch {
      return undefined; // Sealed under a key no longer configured: the reference is lost, not guessed.
    }
  };
  const opened = (stored: ModelPayload | undefined) => stored && mapRefs(stored, open);
  return overrideModel(view, {
    upsert: (id, payload, expiresIn) => view.upsert(id, mapRefs(payload, seal), expiresIn),
    find: async (id) => opened(await view.find(id)),
    findByUid: async (uid) => opened(await view.findByUid(uid)),
  });
}
