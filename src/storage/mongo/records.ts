/** Small named records and leases on MongoDB. */
import type { Collection } from 'mongoose';
import type { RecordRepository } from '../port.ts';
import { isDuplicateKey } from './duplicates.ts';
import { escapeKeys, unescapeKeys } from './escape.ts';

export interface RecordDocument {
  /** `${kind}:${id}`, so a get is one lookup by primary key. */
  _id: string;
  kind: string;
  key: string;
  /** Opaque and possibly keyed by URLs or client ids, so stored escaped. */
  value: unknown;
}

export interface LockDocument {
  _id: string;
  holder: string;
  expiresAt: Date;
}

export function createRecordRepository(records: Collection<RecordDocument>, locks: Collection<LockDocument>): RecordRepository {
  return {
    async get<T>(kind: string, id: string) {
      const doc = await records.findOne({ _id: `${kind}:${id}` });
      return doc ? (unescapeKeys(doc.value) as T) : undefined;
    },
    async put(kind, id, value) {
      await records.replaceOne({ _id: `${kind}:${id}` }, { kind, key: id, value: escapeKeys(value) }, { upsert: true });
    },
    async list<T>(kind: string) {
      const docs = await records.find({ kind }).sort({ key: 1 }).toArray();
      return docs.map((doc) => ({ id: doc.key, value: unescapeKeys(doc.value) as T }));
    },
    async delete(kind, id) {
      await records.deleteOne({ _id: `${kind}:${id}` });
    },
    async tryLock(name, holder, ttlSeconds) {
      const now = new Date();
      const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
      try {
        // Matches the lease if we hold it or it ran out; otherwise the upsert tries to insert a
        // second document with the same _id, and the unique _id index refuses it: the lease is
        // held by someone else. Concurrent first takers race on that same insert; one wins.
        await locks.findOneAndUpdate({ _id: name, $or: [{ holder }, { expiresAt: { $lt: now } }] }, { $set: { holder, expiresAt } }, { upsert: true });
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },
    async unlock(name, holder) {
      await locks.deleteOne({ _id: name, holder });
    },
  };
}
