/**
 * How records map to MongoDB documents. Pure functions, so the mapping is tested without a server.
 *
 * An oidc-provider model record is `{ _id, payload, consumed?, expiresAt? }`. The payload is an
 * opaque sub-document (keys escaped, see escape.ts): new fields in a future oidc-provider release
 * are stored without any schema change. The indexed fields are read in place as `payload.grantId`,
 * `payload.uid`, `payload.userCode` and `payload.accountId`; their keys contain no dots, so
 * escaping leaves those paths as they are.
 */
import type { ModelPayload } from '../port.ts';
import { escapeKeys, unescapeKeys } from './escape.ts';

export interface ModelDocument {
  _id: string;
  payload: ModelPayload;
  /** Epoch seconds. Beside the payload, not in it, so that a later upsert cannot clear it. */
  consumed?: number;
  /** Drives the TTL index; absent for records that never expire (such as Client). */
  expiresAt?: Date;
}

export interface ModelUpdate {
  $set: { payload: ModelPayload; consumed?: number; expiresAt?: Date };
  $unset?: { expiresAt: '' };
}

/** The update an upsert sends: replaces the payload, never removes a consumed mark. */
export function toModelUpdate(payload: ModelPayload, expiresIn: number | undefined, now: Date): ModelUpdate {
  const update: ModelUpdate = { $set: { payload: escapeKeys(payload) } };
  // Copied out only when present: $set cannot unset, so an existing mark survives any later save.
  if (typeof payload.consumed === 'number') update.$set.consumed = payload.consumed;
  if (typeof expiresIn === 'number') update.$set.expiresAt = new Date(now.getTime() + expiresIn * 1000);
  else update.$unset = { expiresAt: '' };
  return update;
}

/** The payload oidc-provider saved, with the consumed mark put back where it expects it. */
export function fromModelDocument(doc: Pick<ModelDocument, 'payload' | 'consumed'>): ModelPayload {
  const payload = unescapeKeys(doc.payload);
  if (doc.consumed !== undefined) payload.consumed = doc.consumed;
  return payload;
}

/**
 * Matches documents that have not expired. MongoDB's TTL monitor deletes expired documents only
 * once every 60 seconds, so every read and the consume filter add this condition themselves.
 * `$not: { $lte }` also matches documents without `expiresAt` (records that never expire).
 */
export function notExpired(now: Date): { expiresAt: { $not: { $lte: Date } } } {
  return { expiresAt: { $not: { $lte: now } } };
}

/**
 * Splits a partial record into `$set` and `$unset`: a field given as `undefined` is removed,
 * as the embedded backend does, instead of being stored as null. Empty operators are left out
 * (servers before 5.0 reject them); undefined when there is nothing to change at all.
 */
export function toPatchUpdate(patch: Record<string, unknown>): PatchUpdate | undefined {
  const $set: Record<string, unknown> = {};
  const $unset: Record<string, ''> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) $unset[key] = '';
    else $set[key] = value;
  }
  const update: PatchUpdate = {};
  if (Object.keys($set).length > 0) update.$set = $set;
  if (Object.keys($unset).length > 0) update.$unset = $unset;
  return update.$set || update.$unset ? update : undefined;
}

export interface PatchUpdate {
  $set?: Record<string, unknown>;
  $unset?: Record<string, ''>;
}

/**
 * Equality on a field whose index is partial on `{ $type: 'string' }` (indexes.ts). MongoDB's
 * planner uses a partial index only when the query provably implies its filter, and it does not
 * infer the type from an equality; without the spelled-out `$type` these lookups would scan the
 * whole collection. It changes no result: an equality to a string only ever matches strings.
 */
export function stringEquals(value: string): { $eq: string; $type: 'string' } {
  return { $eq: value, $type: 'string' };
}
