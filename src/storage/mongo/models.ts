/** oidc-provider models on MongoDB: one collection per model, documents as in documents.ts. */
import type { Collection } from 'mongoose';
import type { ModelPayload, ModelStore } from '../port.ts';
import { fromModelDocument, type ModelDocument, notExpired, toModelUpdate } from './documents.ts';

export function createModelStore(collection: Collection<ModelDocument>): ModelStore {
  async function findOne(filter: Record<string, string>): Promise<ModelPayload | undefined> {
    const doc = await collection.findOne({ ...filter, ...notExpired(new Date()) });
    return doc ? fromModelDocument(doc) : undefined;
  }

  return {
    async upsert(id, payload, expiresIn) {
      await collection.updateOne({ _id: id }, toModelUpdate(payload, expiresIn, new Date()), { upsert: true });
    },
    find: (id) => findOne({ _id: id }),
    findByUid: (uid) => findOne({ 'payload.uid': uid }),
    findByUserCode: (userCode) => findOne({ 'payload.userCode': userCode }),
    async findByAccountId(accountId) {
      const docs = await collection.find({ 'payload.accountId': accountId, ...notExpired(new Date()) }).toArray();
      return docs.map((doc) => ({ id: doc._id, payload: fromModelDocument(doc) }));
    },
    async consume(id) {
      // One conditional write: of any number of concurrent callers, the server lets exactly one
      // match a document that has no mark yet. An expired record cannot be consumed either.
      const consumed = Math.floor(Date.now() / 1000);
      const result = await collection.updateOne(
        { _id: id, consumed: { $exists: false }, ...notExpired(new Date()) },
        { $set: { consumed } },
      );
      return result.modifiedCount === 1;
    },
    async destroy(id) {
      await collection.deleteOne({ _id: id });
    },
    async revokeByGrantId(grantId) {
      await collection.deleteMany({ 'payload.grantId': grantId });
    },
    count: () => collection.countDocuments(notExpired(new Date())),
  };
}
