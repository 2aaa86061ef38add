/**
 * The mail outbox on nedb. `data` is kept as JSON text (template data may use any key, and nedb
 * refuses keys with dots or a leading `$`). A claim is one conditional update; nedb's executor
 * runs writes one at a time, so of concurrent claims exactly one matches `nextAttemptAt ≤ now`.
 */
import type { OutboxRecord, OutboxRepository } from '../port.ts';
import type { Collection } from './datastore.ts';
import type { Db } from './nedb.ts';

type OutboxDocument = Omit<OutboxRecord, 'id' | 'data'> & { _id: string; data: string };

function toRecord(doc: OutboxDocument): OutboxRecord {
  const { _id, data, ...rest } = doc;
  return { id: _id, data: JSON.parse(data) as Record<string, unknown>, ...rest };
}

export async function createOutboxRepository(collection: Collection): Promise<OutboxRepository> {
  await collection.ensureIndexAsync({ fieldName: 'nextAttemptAt' });
  const db = collection as unknown as Db<Omit<OutboxDocument, '_id'>>;
  return {
    async insert(row) {
      const { id, data, ...rest } = row;
      await db.insertAsync({ _id: id, data: JSON.stringify(data), ...rest });
    },
    async due(now, limit) {
      const docs = await db
        .findAsync({ nextAttemptAt: { $lte: now } })
        .sort({ nextAttemptAt: 1 })
        .limit(limit);
      return docs.map(toRecord);
    },
    async claim(id, now, leaseUntil, claim) {
      const { numAffected, affectedDocuments } = await db.updateAsync(
        { _id: id, nextAttemptAt: { $lte: now } },
        { $set: { nextAttemptAt: leaseUntil, claim }, $inc: { attempts: 1 } },
        { returnUpdatedDocs: true },
      );
      if (numAffected !== 1 || !affectedDocuments || Array.isArray(affectedDocuments)) return undefined;
      return toRecord(affectedDocuments);
    },
    async reschedule(id, claim, nextAttemptAt) {
      const { numAffected } = await db.updateAsync({ _id: id, claim }, { $set: { nextAttemptAt } });
      return numAffected === 1;
    },
    async delete(id) {
      await db.removeAsync({ _id: id }, {});
    },
    purgeExpired: (now) => db.removeAsync({ expiresAt: { $lte: now } }, { multi: true }),
    deleteByAccount: (accountId) => db.removeAsync({ accountId }, { multi: true }),
    async list() {
      const docs = await db.findAsync({}).sort({ nextAttemptAt: 1 });
      return docs.map(toRecord);
    },
  };
}
