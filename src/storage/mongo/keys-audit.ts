/** Signing keys and audit events on MongoDB; `_id` holds the kid or the event id. */
import type { Collection } from 'mongoose';
import {
  AuditCursorError,
  type AuditFilter,
  type AuditRecord,
  type AuditRepository,
  type ChainMark,
  type KeyRecord,
  type KeyRepository,
  PERSONAL_AUDIT_FIELDS,
} from '../port.ts';
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

/** The sort key of the trail; _id breaks ties between records of the same millisecond. */
type Cursor = [atMs: number, id: string];

const encodeCursor = (record: AuditRecord) => Buffer.from(JSON.stringify([record.at.getTime(), record.id])).toString('base64url');

function decodeCursor(cursor: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string') return value as Cursor;
  } catch {
    // Falls through to the refusal.
  }
  throw new AuditCursorError('not a cursor of this trail');
}

const escapeRegex = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Filter documents for a query; every equality says $type string so the partial indexes apply. */
export function auditFilter(filter: AuditFilter): Record<string, unknown> {
  const and: Array<Record<string, unknown>> = [];
  if (filter.typePrefix) and.push({ type: { $regex: `^${escapeRegex(filter.typePrefix)}` } });
  if (filter.accountId) and.push({ accountId: stringEquals(filter.accountId) });
  if (filter.actorId) and.push({ 'actor.id': stringEquals(filter.actorId) });
  if (filter.clientId) and.push({ clientId: stringEquals(filter.clientId) });
  if (filter.ip) and.push({ ip: stringEquals(filter.ip) });
  if (filter.since || filter.until) and.push({ at: { ...(filter.since ? { $gte: filter.since } : {}), ...(filter.until ? { $lt: filter.until } : {}) } });
  if (filter.after) {
    const [atMs, id] = decodeCursor(filter.after);
    const at = new Date(atMs);
    const beyond = filter.order === 'asc' ? '$gt' : '$lt';
    and.push({ $or: [{ at: { [beyond]: at } }, { at, _id: { [beyond]: id } }] });
  }
  return and.length === 0 ? {} : and.length === 1 ? (and[0] as Record<string, unknown>) : { $and: and };
}

const fromDocument = ({ _id, detail, ...rest }: AuditDocument): AuditRecord => ({
  id: _id,
  ...rest,
  ...(detail ? { detail: unescapeKeys(detail) } : {}),
});

/** Read in batches of this many: a query streams, it never loads the whole trail. */
const BATCH = 500;

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
        .sort({ at: -1, _id: -1 })
        .limit(query.limit ?? AUDIT_LIST_LIMIT)
        .toArray();
      return docs.map(fromDocument);
    },
    async *query(filter) {
      const direction = filter.order === 'asc' ? 1 : -1;
      const cursor = collection.find(auditFilter(filter)).sort({ at: direction, _id: direction }).batchSize(BATCH);
      try {
        for await (const doc of cursor) {
          const record = fromDocument(doc);
          yield { record, cursor: encodeCursor(record) };
        }
      } finally {
        await cursor.close();
      }
    },
    async *walk() {
      const cursor = collection
        .find({ chain: { $type: 'string' } })
        .sort({ chain: 1, seq: 1 })
        .batchSize(BATCH);
      try {
        for await (const doc of cursor) yield fromDocument(doc);
      } finally {
        await cursor.close();
      }
    },
    async planPurge(before) {
      const count = await collection.countDocuments({ at: { $lt: before } });
      const heads = await collection
        .aggregate<{ _id: string; seq: number }>([
          { $match: { at: { $lt: before }, chain: { $type: 'string' } } },
          { $group: { _id: '$chain', seq: { $max: '$seq' } } },
        ])
        .toArray();
      const marks: ChainMark[] = [];
      for (const head of heads) {
        const last = await collection.findOne({ chain: stringEquals(head._id), seq: head.seq });
        if (last?.mac) marks.push({ chain: head._id, seq: head.seq, mac: last.mac });
      }
      return { before, count, marks };
    },
    async purge(plan) {
      let removed = 0;
      // A chain goes up to its mark, so what verify starts from is exactly what is gone.
      for (const mark of plan.marks) {
        removed += (await collection.deleteMany({ chain: stringEquals(mark.chain), seq: { $lte: mark.seq } })).deletedCount;
      }
      // Records from before chains existed.
      removed += (await collection.deleteMany({ at: { $lt: plan.before }, chain: { $exists: false } })).deletedCount;
      return removed;
    },
    async scrubAccount(accountId) {
      const unset: Record<string, ''> = { ip: '', userAgent: '' };
      for (const field of PERSONAL_AUDIT_FIELDS) unset[`detail.${field}`] = '';
      const { modifiedCount } = await collection.updateMany({ accountId: stringEquals(accountId) }, { $unset: unset });
      return modifiedCount;
    },
  };
}
