/**
 * oidc-provider models on nedb. The payload is kept as a JSON string: Session payloads use client
 * ids as object keys, and nedb (like MongoDB) refuses keys with dots. The fields the adapter
 * queries by are copied beside it.
 */
import type { ModelPayload, ModelStore } from '../port.ts';
import type { Collection } from './datastore.ts';
import type { Db } from './nedb.ts';

interface ModelDocument {
  _id: string;
  data: string;
  grantId?: string;
  uid?: string;
  userCode?: string;
  accountId?: string;
  consumed?: number;
  expiresAt?: Date;
}

const INDEXED = ['grantId', 'uid', 'userCode', 'accountId'] as const;

/**
 * Which of those fields each model is looked up by (the same choice as mongo/indexes.ts). Every
 * index costs each write, and nedb keeps all documents of one key in an array that a write
 * rescans: an `accountId` index on refresh tokens made each rotation O(tokens of that person)
 * (1.3 ms per consume with 20,000 tokens of one account). Unindexed lookups still work, by scan.
 */
function lookupFields(model: string): ReadonlyArray<(typeof INDEXED)[number]> {
  switch (model) {
    case 'Session':
      return ['accountId', 'uid'];
    case 'Grant':
    case 'PasswordReset':
    case 'EmailChange':
    case 'Passkey':
      return ['accountId'];
    case 'DeviceCode':
      return ['grantId', 'userCode'];
    case 'AccessToken':
    case 'AuthorizationCode':
    case 'RefreshToken':
    case 'BackchannelAuthenticationRequest':
      return ['grantId'];
    default:
      return [];
  }
}

function toPayload(doc: ModelDocument | null): ModelPayload | undefined {
  if (!doc) return undefined;
  const payload = JSON.parse(doc.data) as ModelPayload;
  if (doc.consumed !== undefined) payload.consumed = doc.consumed;
  return payload;
}

export async function createModelStore(collection: Collection, model: string): Promise<ModelStore> {
  await collection.ensureIndexAsync({ fieldName: 'expiresAt', expireAfterSeconds: 0 });
  const wanted = lookupFields(model);
  for (const fieldName of INDEXED) {
    if (wanted.includes(fieldName)) await collection.ensureIndexAsync({ fieldName, sparse: true });
    // Directories written before indexes were chosen per model still carry the others.
    else if (fieldName in collection.indexes) await collection.removeIndexAsync(fieldName);
  }
  const db = collection as unknown as Db<ModelDocument>;

  return {
    async upsert(id, payload, expiresIn) {
      const set: Record<string, unknown> = { data: JSON.stringify(payload) };
      const unset: Record<string, true> = {};
      for (const field of INDEXED) {
        const value = payload[field];
        if (typeof value === 'string') set[field] = value;
        else unset[field] = true;
      }
      // A consumed mark is never cleared by a later save: losing it would re-arm a one-time artefact.
      if (typeof payload.consumed === 'number') set.consumed = payload.consumed;
      if (typeof expiresIn === 'number') set.expiresAt = new Date(Date.now() + expiresIn * 1000);
      else unset.expiresAt = true;
      const update = Object.keys(unset).length ? { $set: set, $unset: unset } : { $set: set };
      await db.updateAsync({ _id: id }, update, { upsert: true });
    },
    async find(id) {
      return toPayload(await db.findOneAsync({ _id: id }));
    },
    async findByUid(uid) {
      return toPayload(await db.findOneAsync({ uid }));
    },
    async findByUserCode(userCode) {
      return toPayload(await db.findOneAsync({ userCode }));
    },
    async findByAccountId(accountId) {
      const docs = await db.findAsync({ accountId });
      return docs.map((doc) => ({ id: doc._id, payload: toPayload(doc) as ModelPayload }));
    },
    async findByGrantId(grantId) {
      const docs = await db.findAsync({ grantId });
      return docs.map((doc) => ({ id: doc._id, payload: toPayload(doc) as ModelPayload }));
    },
    async consume(id) {
      const consumed = Math.floor(Date.now() / 1000);
      const { numAffected } = await db.updateAsync({ _id: id, consumed: { $exists: false } }, { $set: { consumed } });
      return numAffected === 1;
    },
    async destroy(id) {
      await db.removeAsync({ _id: id }, {});
    },
    async revokeByGrantId(grantId) {
      await db.removeAsync({ grantId }, { multi: true });
    },
    async count() {
      return db.countAsync({});
    },
  };
}
