/**
 * What it means when a refresh token that was already used is presented again. Pure: the caller
 * gathers the facts (the family's records, the clock) and acts on the verdict.
 *
 * Every rotated token is stored with `rotatedFrom` (the token it replaced) and `rotatedAt`
 * (when), so a family's records form a tree rooted at its first token. A retry of the token
 * presented last is `grace` only when all of these hold:
 *   - the grace window is open (REFRESH_REUSE_GRACE_SECONDS > 0);
 *   - the token was rotated no more than that long ago (counted from its first rotation, so
 *     retries cannot stretch the window);
 *   - none of its successors has been used: it is still the token the client used last;
 *   - one successor is still live: that one is retired and a new pair issued in its place.
 * A successor used since means the token is stale: reuse. Rotated but no successor stored yet
 * (or the live one retired by another retry whose new token is not stored yet) means a request
 * for this token is still in flight: refused, but nothing is revoked.
 */
import type { ModelPayload } from '../../storage/port.ts';

export const ROTATED_FROM = 'rotatedFrom';
export const ROTATED_AT = 'rotatedAt';

export interface FamilyRecord {
  id: string;
  payload: ModelPayload;
}

export type ReuseReason = 'replayed' | 'stale' | 'concurrent' | 'other_client';

export type ReplayVerdict = { kind: 'grace'; successorId: string } | { kind: 'in_flight' } | { kind: 'reuse'; reason: ReuseReason };

export function judgeReplay(presentedId: string, family: FamilyRecord[], graceMs: number, now: number): ReplayVerdict {
  if (graceMs <= 0) return { kind: 'reuse', reason: 'replayed' };
  const successors = family.filter((record) => record.payload[ROTATED_FROM] === presentedId);
  if (successors.length === 0) return { kind: 'in_flight' };
  const rotatedAt = Math.min(...successors.map((record) => Number(record.payload[ROTATED_AT])));
  // Written so that a missing or garbled timestamp (NaN) counts as outside the window.
  if (!(now - rotatedAt <= graceMs)) return { kind: 'reuse', reason: 'replayed' };
  const usedSince = new Set(family.map((record) => record.payload[ROTATED_FROM]));
  if (successors.some((record) => usedSince.has(record.id))) return { kind: 'reuse', reason: 'stale' };
  const live = successors.find((record) => record.payload.consumed === undefined);
  return live ? { kind: 'grace', successorId: live.id } : { kind: 'in_flight' };
}
