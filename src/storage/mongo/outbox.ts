/**
 * The mail outbox on MongoDB. `data` is kept as JSON text, as on the embedded backend. A claim is
 * one findOneAndUpdate whose filter holds the condition (`nextAttemptAt ≤ now`): MongoDB applies
 * it atomically on the document, so of concurrent claimers, in this process or another instance,
 * exactly one gets the row back.
 */
import type { Collection } from 'mongoose';
import type { OutboxRecord, OutboxRepository } from '../port.ts';

export type OutboxDocument = Omit<OutboxRecord, 'id' | 'data'> & { _id: string; data: string };

function toRecord(doc: OutboxDocument): OutboxRecord {
  const { _id, data, ...rest } = doc;
  return { id: _id, data: JSON.parse(data) as Record<string, unknown>, ...rest };
}

export function createOutboxRepository(collection: Collection<OutboxDocument>): OutboxRepository {
  return {
    async insert(row) {
      const { id, data, ...rest } = row;
      await collection.insertOne({ _id: id, data: JSON.stringify(data), ...rest });
    },
    async due(now, limit) {
      const docs = await collection
        .find({ nextAttemptAt: { $lte: now } })
        .sort({ nextAttemptAt: 1 })
        .limit(limit)
        .toArray();
      return docs.map(toRecord);
    },
    async claim(id, now, leaseUntil, claim) {
      const doc = await collection.findOneAndUpdate(
        { _id: id, nextAttemptAt: { $lte: now } },
        { $set: { nextAttemptAt: leaseUntil, claim }, $inc: { attempts: 1 } },
        { returnDocument: 'after' },
      );
      return doc ? toRecord(doc) : undefined;
    },
    async reschedule(id, claim, nextAttemptAt) {
      const result = await collection.updateOne({ _id: id, claim }, { $set: { nextAttemptAt } });
      return result.modifiedCount === 1;
    },
    async delete(id) {
      await collection.deleteOne({ _id: id });
    },
    async purgeExpired(now) {
      const result = await collection.deleteMany({ expiresAt: { $lte: now } });
      return result.deletedCount;
    },
    async deleteByAccount(accountId) {
      const result = await collection.deleteMany({ accountId });
      return result.deletedCount;
    },
    async list() {
      const docs = await collection.find({}).sort({ nextAttemptAt: 1 }).toArray();
      return docs.map(toRecord);
    },
  };
}
