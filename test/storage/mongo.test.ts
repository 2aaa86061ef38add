/**
 * The storage contract against a real MongoDB. Runs only when MONGODB_URI points at a server
 * (a replica set or a standalone; every run uses fresh databases and drops them afterwards).
 * Without one the test is reported as SKIPPED, never as passed.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MONGODB_URI, mongoDatabases, mongoSkipped } from '../support/mongo.ts';
import { runStorageContract } from './contract.ts';

if (MONGODB_URI) {
  const databases = mongoDatabases(MONGODB_URI);

  // The contract relies on the unique indexes, which production creates with db:indexes.
  runStorageContract('mongo', () => databases.open());

  it('mongo: a fresh database reports every index missing, and none after ensureIndexes', async () => {
    const store = await databases.open(databases.fresh(), { indexes: false });
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
  mongoSkipped('the storage contract');
}
