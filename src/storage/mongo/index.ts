/**
 * The MongoDB backend, for more than one instance and for production. It talks to driver
 * collections through a dedicated mongoose connection rather than through mongoose models:
 * the adapter only translates, and model features would change what is stored (arrays default
 * to `[]`, empty objects are dropped on save, `_id` is cast to ObjectId). Driver semantics are
 * exactly what the storage contract relies on.
 *
 * Indexes are not created here; see indexes.ts and `portcullis db:indexes`.
 */
import type { Connection } from 'mongoose';
import { MODEL_NAMES } from '../models.ts';
import type { ModelStore, Store } from '../port.ts';
import { type AccountDocument, createAccountRepository } from './accounts.ts';
import { COLLECTIONS, modelCollection } from './collections.ts';
import { type MongoConnectionOptions, openConnection } from './connection.ts';
import type { ModelDocument } from './documents.ts';
import { ensureIndexes, type IndexProblem, missingIndexes } from './index-sync.ts';
import type { IndexDefinition } from './indexes.ts';
import { type AuditDocument, createAuditRepository, createKeyRepository, type KeyDocument } from './keys-audit.ts';
import { createMfaRepository, type MfaDocument } from './mfa.ts';
import { createModelStore } from './models.ts';
import { createOutboxRepository, type OutboxDocument } from './outbox.ts';
import { createRecordRepository, type LockDocument, type RecordDocument } from './records.ts';

export { isStorageUnavailable } from '../errors.ts';
export type { MongoConnectionOptions } from './connection.ts';
export { describeIndex, IndexConflictError, type IndexProblem } from './index-sync.ts';
export { INDEXES, type IndexDefinition } from './indexes.ts';

export interface MongoStore extends Store {
  readonly kind: 'mongo';
  /** For operator tooling and tests; request code goes through the repositories. */
  readonly connection: Connection;
  /** Indexes from indexes.ts that this database lacks (start-up warns with these). */
  missingIndexes(): Promise<IndexProblem[]>;
  /** Creates the missing indexes and drops retired ones of ours (the `db:indexes` step). */
  ensureIndexes(): Promise<{ created: IndexDefinition[]; present: IndexDefinition[]; dropped: string[] }>;
}

export async function createMongoStore(uri: string, options: MongoConnectionOptions = {}): Promise<MongoStore> {
  const connection = await openConnection(uri, options);
  const models = new Map<string, ModelStore>();
  for (const name of MODEL_NAMES) {
    models.set(name, createModelStore(connection.collection<ModelDocument>(modelCollection(name))));
  }
  return {
    kind: 'mongo',
    connection,
    model(name) {
      const model = models.get(name);
      if (!model) throw new Error(`unknown model ${name}`);
      return model;
    },
    accounts: createAccountRepository(connection.collection<AccountDocument>(COLLECTIONS.accounts)),
    keys: createKeyRepository(connection.collection<KeyDocument>(COLLECTIONS.keys)),
    audit: createAuditRepository(connection.collection<AuditDocument>(COLLECTIONS.audit)),
    mfa: createMfaRepository(connection.collection<MfaDocument>(COLLECTIONS.mfa)),
    records: createRecordRepository(connection.collection<RecordDocument>(COLLECTIONS.records), connection.collection<LockDocument>(COLLECTIONS.locks)),
    outbox: createOutboxRepository(connection.collection<OutboxDocument>(COLLECTIONS.outbox)),
    async ping() {
      const db = connection.db;
      if (!db) throw new Error('MongoDB connection is not open');
      await db.admin().command({ ping: 1 });
    },
    async close() {
      await connection.close();
    },
    missingIndexes: () => missingIndexes(connection),
    ensureIndexes: () => ensureIndexes(connection),
  };
}
