/** Signing keys and audit events on MongoDB; `_id` holds the kid or the event id. */
import type { Collection } from 'mongoose';
import { type AuditRecord, type AuditRepository, type KeyRecord, type KeyRepository, PERSONAL_AUDIT_FIELDS } from '../port.ts';
import { stringEquals, toPatchUpdate } from './documents.ts';
import { escapeKeys, unescapeKeys } from './escape.ts';

export type KeyDocument = Omit<KeyRecord, 'kid'> & { _id: string };
export type AuditDocument = Omit<AuditRecord, 'id'> & { _id: string };

/** Default page size of audit.list, as in the embedded backend. */
const AUDIT_LIST_LIMIT = 100;

export function createKeyRepository(collection: Collection<KeyDocument>): KeyRepository {
  return {
    async list() {
      const docs = await collection.find({}).sort({ createdAt: 1 }).toArray();
      return docs.map(({ _id, ...rest }) => ({ kid: _id, ...rest }));
    },
    async insert(key) {
      const { kid, ...rest } = key;
      await collection.insertOne({ _id: kid, ...rest });
    },
    async transition(kid, expectedState, patch) {
      const { kid: _ignored, ...fields } = patch;
      const update = toPatchUpdate(fields) ?? { $set: { state: expectedState } };
      // matchedCount, not modifiedCount: the question is "was the key still in the expected
      // state", and a patch may legitimately leave every field as it was. The state in the
      // filter makes concurrent transitions from the same state exclusive.
      const result = await collection.updateOne({ _id: kid, state: expectedState }, update);
      return result.matchedCount === 1;
    },
  };
}

export function createAuditRepository(collection: Collection<AuditDocument>): AuditRepository {
  return {
    async append(event) {
      const { id, detail, ...rest } = event;
      // `detail` is free-form and may use URLs or client ids as keys.
      await collection.insertOne({ _id: id, ...rest, ...(detail ? { detail: escapeKeys(detail) } : {}) });
    },
    async list(query = {}) {
      const filter: { type?: string; accountId?: ReturnType<typeof stringEquals> } = {};
      if (query.type) filter.type = query.type;
      if (query.accountId) filter.accountId = stringEquals(query.accountId);
      const docs = await collection
        .find(filter)
        .sort({ at: -1 })
        .limit(query.limit ?? AUDIT_LIST_LIMIT)
        .toArray();
      return docs.map(({ _id, detail, ...rest }) => ({
        id: _id,
        ...rest,
        ...(detail ? { detail: unescapeKeys(detail) } : {}),
      }));
    },
    async purgeExpired(now, writtenBefore) {
      // The TTL index (indexes.ts) deletes stamped records by itself, within a minute or so of
      // expiry; this catches the rest: records from before retention existed, and records written
      // longer ago than the retention in force now (it may have been lowered since they were stamped).
      const { deletedCount } = await collection.deleteMany({
        $or: [{ expiresAt: { $lt: now } }, { at: { $lt: writtenBefore } }],
      });
      return deletedCount;
    },
    async scrubAccount(accountId) {
      const unset: Record<string, ''> = { ip: '' };
      for (const field of PERSONAL_AUDIT_FIELDS) unset[`detail.${field}`] = '';
      const { modifiedCount } = await collection.updateMany({ accountId: stringEquals(accountId) }, { $unset: unset });
      return modifiedCount;
    },
  };
}
