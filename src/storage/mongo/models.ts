/**
 * oidc-provider models on MongoDB: one collection per model, documents as in documents.ts.
 * Ids and codes come from requests by way of oidc-provider; lookups compare them with `$eq`
 * so that a value can never be read as a query operator.
 */
import type { Collection } from 'mongoose';
import type { ModelPayload, ModelStore } from '../port.ts';
import { fromModelDocument, type ModelDocument, notExpired, stringEquals, toModelUpdate } from './documents.ts';

export function createModelStore(collection: Collection<ModelDocument>): ModelStore {
  async function findOne(filter: Record<string, unknown>): Promise<ModelPayload | undefined> {
    const doc = await collection.findOne({ ...filter, ...notExpired(new Date()) });
    return doc ? fromModelDocument(doc) : undefined;
  }

  return {
    async upsert(id, payload, expiresIn) {
      await collection.updateOne({ _id: id }, toModelUpdate(payload, expiresIn, new Date()), { upsert: true });
    },
    find: (id) => findOne({ _id: { $eq: id } }),
    findByUid: (uid) => findOne({ 'payload.uid': stringEquals(uid) }),
    findByUserCode: (userCode) => findOne({ 'payload.userCode': stringEquals(userCode) }),
    async findByAccountId(accountId) {
      const docs = await collection.find({ 'payload.accountId': stringEquals(accountId), ...notExpired(new Date()) }).toArray();
      return docs.map((doc) => ({ id: doc._id, payload: fromModelDocument(doc) }));
    },
    async findByGrantId(grantId) {
      const docs = await collection.find({ 'payload.grantId': stringEquals(grantId), ...notExpired(new Date()) }).toArray();
      return docs.map((doc) => ({ id: doc._id, payload: fromModelDocument(doc) }));
    },
    async consume(id) {
      // One conditional write: of any number of concurrent callers, the server lets exactly one
      // match a document that has no mark yet. An expired record cannot be consumed either.
      const consumed = Math.floor(Date.now() / 1000);
      const result = await collection.updateOne({ _id: { $eq: id }, consumed: { $exists: false }, ...notExpired(new Date()) }, { $set: { consumed } });
      return result.modifiedCount === 1;
    },
    async destroy(id) {
      await collection.deleteOne({ _id: { $eq: id } });
    },
    async revokeByGrantId(grantId) {
      await collection.deleteMany({ 'payload.grantId': stringEquals(grantId) });
    },
    count: () => collection.countDocuments(notExpired(new Date())),
  };
}
