/**
 * MFA factors on MongoDB. The two replay guards are single conditional updates: the condition
 * in the filter is checked and the change applied atomically on one document, so of concurrent
 * callers presenting the same TOTP step or backup code exactly one sees modifiedCount 1.
 */
import type { Collection } from 'mongoose';
import type { MfaFactorRecord, MfaRepository } from '../port.ts';
import { toPatchUpdate } from './documents.ts';

export type MfaDocument = Omit<MfaFactorRecord, 'id'> & { _id: string };

export function createMfaRepository(collection: Collection<MfaDocument>): MfaRepository {
  return {
    async listByAccount(accountId) {
      const docs = await collection.find({ accountId }).sort({ createdAt: 1 }).toArray();
      return docs.map(({ _id, ...rest }) => ({ id: _id, ...rest }));
    },
    async insert(factor) {
      const { id, ...rest } = factor;
      await collection.insertOne({ _id: id, ...rest });
    },
    async update(id, patch) {
      const update = toPatchUpdate(patch);
      if (update) await collection.updateOne({ _id: id }, update);
    },
    async remove(id) {
      await collection.deleteOne({ _id: id });
    },
    async advanceTotpStep(id, step) {
      const result = await collection.updateOne(
        { _id: id, $or: [{ lastStep: { $exists: false } }, { lastStep: { $lt: step } }] },
        { $set: { lastStep: step } },
      );
      return result.modifiedCount === 1;
    },
    async useBackupCode(id, codeHash) {
      // The hash in the filter: a second caller finds no document still holding it.
      const result = await collection.updateOne({ _id: id, codeHashes: codeHash }, { $pull: { codeHashes: codeHash } });
      return result.modifiedCount === 1;
    },
  };
}
