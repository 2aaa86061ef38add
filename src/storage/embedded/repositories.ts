/** Keys, MFA factors and small records on nedb (the audit trail is in audit-trail.ts). */

import type { KeyRecord, KeyRepository, MfaFactorRecord, MfaRepository, RecordRepository } from '../port.ts';
import { type Collection, isUniqueViolation } from './datastore.ts';
import type { Db } from './nedb.ts';

type WithId<T, K extends keyof T> = Omit<T, K> & { _id: string };

function strip<T extends { _id: string }>(doc: T): Omit<T, '_id'> {
  const { _id, ...rest } = doc;
  return rest;
}

export async function createKeyRepository(collection: Collection): Promise<KeyRepository> {
  const db = collection as unknown as Db<WithId<KeyRecord, 'kid'>>;
  return {
    async list() {
      const docs = await db.findAsync({}).sort({ createdAt: 1 });
      return docs.map((doc) => ({ kid: doc._id, ...strip(doc) }) as KeyRecord);
    },
    async insert(key) {
      const { kid, ...rest } = key;
      await db.insertAsync({ _id: kid, ...rest });
    },
    async transition(kid, expectedState, patch) {
      const { kid: _ignored, ...set } = patch;
      const { numAffected } = await db.updateAsync({ _id: kid, state: expectedState }, { $set: set });
      return numAffected === 1;
    },
  };
}

export async function createMfaRepository(collection: Collection): Promise<MfaRepository> {
  await collection.ensureIndexAsync({ fieldName: 'accountId' });
  const db = collection as unknown as Db<WithId<MfaFactorRecord, 'id'>>;
  return {
    async listByAccount(accountId) {
      const docs = await db.findAsync({ accountId }).sort({ createdAt: 1 });
      return docs.map((doc) => ({ id: doc._id, ...strip(doc) }) as MfaFactorRecord);
    },
    async insert(factor) {
      const { id, ...rest } = factor;
      await db.insertAsync({ _id: id, ...rest });
    },
    async update(id, patch) {
      await db.updateAsync({ _id: id }, { $set: patch });
    },
    async remove(id) {
      await db.removeAsync({ _id: id }, {});
    },
    async advanceTotpStep(id, step) {
      const { numAffected } = await db.updateAsync(
        { _id: id, $or: [{ lastStep: { $exists: false } }, { lastStep: { $lt: step } }] },
        { $set: { lastStep: step } },
      );
      return numAffected === 1;
    },
    async useBackupCode(id, codeHash) {
      const { numAffected } = await db.updateAsync({ _id: id, codeHashes: codeHash }, { $pull: { codeHashes: codeHash } });
      return numAffected === 1;
    },
  };
}

interface RecordDocument {
  _id: string;
  kind: string;
  key: string;
  value: unknown;
}

interface LockDocument {
  _id: string;
  holder: string;
  expiresAt: Date;
}

export async function createRecordRepository(records: Collection, locks: Collection): Promise<RecordRepository> {
  await records.ensureIndexAsync({ fieldName: 'kind' });
  const db = records as unknown as Db<RecordDocument>;
  const lockDb = locks as unknown as Db<LockDocument>;
  return {
    async get<T>(kind: string, id: string) {
      const doc = await db.findOneAsync({ _id: `${kind}:${id}` });
      return doc ? (doc.value as T) : undefined;
    },
    async put(kind, id, value) {
      await db.updateAsync({ _id: `${kind}:${id}` }, { _id: `${kind}:${id}`, kind, key: id, value }, { upsert: true });
    },
    async list<T>(kind: string) {
      const docs = await db.findAsync({ kind }).sort({ key: 1 });
      return docs.map((doc) => ({ id: doc.key, value: doc.value as T }));
    },
    async delete(kind, id) {
      await db.removeAsync({ _id: `${kind}:${id}` }, {});
    },
    async tryLock(name, holder, ttlSeconds) {
      const now = new Date();
      const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
      const { numAffected } = await lockDb.updateAsync({ _id: name, $or: [{ holder }, { expiresAt: { $lt: now } }] }, { $set: { holder, expiresAt } });
      if (numAffected === 1) return true;
      try {
        await lockDb.insertAsync({ _id: name, holder, expiresAt });
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },
    async unlock(name, holder) {
      await lockDb.removeAsync({ _id: name, holder }, {});
    },
  };
}
