/**
 * The storage contract against a real MongoDB. Runs only when MONGODB_URI points at a server
 * (a replica set or a standalone; every run uses fresh databases and drops them afterwards).
 * Without one the test is reported as SKIPPED, never as passed.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, it } from 'node:test';
import { createConnection } from 'mongoose';
import { createMongoStore } from '../../src/storage/mongo/index.ts';
import { runStorageContract } from './contract.ts';

// Tests choose their backend from the environment directly; src/ reads it only through config.
const uri = process.env.MONGODB_URI;

if (uri) {
  const databases: string[] = [];
  after(async () => {
    for (const dbName of databases) {
      const connection = await createConnection(uri, { dbName, serverSelectionTimeoutMS: 5000 }).asPromise();
      await connection.dropDatabase();
      await connection.close();
    }
  });

  runStorageContract('mongo', async () => {
    const dbName = `portcullis_test_${randomUUID().slice(0, 8)}`;
    databases.push(dbName);
    const store = await createMongoStore(uri, { dbName });
    // The contract relies on the unique indexes, which production creates with db:indexes.
    await store.ensureIndexes();
    return store;
  });

  it('mongo: a fresh database reports every index missing, and none after ensureIndexes', async () => {
    const dbName = `portcullis_test_${randomUUID().slice(0, 8)}`;
    databases.push(dbName);
    const store = await createMongoStore(uri, { dbName });
    try {
      const before = await store.missingIndexes();
      assert.ok(before.length > 0);
      assert.ok(before.every((problem) => problem.reason === 'absent'));
      const { created } = await store.ensureIndexes();
      assert.equal(created.length, before.length);
      assert.deepEqual(await store.missingIndexes(), []);
      assert.deepEqual((await store.ensureIndexes()).created, [], 'running it again creates nothing');
      await store.ping();
    } finally {
      await store.close();
    }
  });
} else {
  console.warn('\n*** MONGODB_URI is not set: the mongo storage backend is NOT tested against a server ***\n');
  it('mongo backend contract', { skip: 'MONGODB_URI is not set: mongo backend NOT tested' }, () => {});
}
