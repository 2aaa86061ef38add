import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createEmbeddedStore } from '../../src/storage/embedded/index.ts';
import { Datastore } from '../../src/storage/embedded/nedb.ts';
import { tempDir } from '../support/tmp.ts';

const dirs: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of dirs) await cleanup();
});

/** Field names of the indexes a compacted nedb file declares. */
async function declaredIndexes(dir: string, model: string): Promise<string[]> {
  const lines = (await readFile(join(dir, `oidc-${model}.db`), 'utf8')).split('\n').filter(Boolean);
  return lines
    .map((line) => JSON.parse(line) as { $$indexCreated?: { fieldName: string } })
    .flatMap((entry) => (entry.$$indexCreated ? [entry.$$indexCreated.fieldName] : []))
    .sort();
}

describe('embedded store indexes', () => {
  it('indexes each model only by the fields it is looked up by', async () => {
    const dir = await tempDir();
    dirs.push(dir.cleanup);
    const store = await createEmbeddedStore(dir.path);
    await store.close();
    assert.deepEqual(await declaredIndexes(dir.path, 'RefreshToken'), ['expiresAt', 'grantId']);
    assert.deepEqual(await declaredIndexes(dir.path, 'Session'), ['accountId', 'expiresAt', 'uid']);
    assert.deepEqual(await declaredIndexes(dir.path, 'Grant'), ['accountId', 'expiresAt']);
    assert.deepEqual(await declaredIndexes(dir.path, 'DeviceCode'), ['expiresAt', 'grantId', 'userCode']);
    assert.deepEqual(await declaredIndexes(dir.path, 'Client'), ['expiresAt']);
  });

  it('drops indexes an older version created, and still finds by those fields', async () => {
    const dir = await tempDir();
    dirs.push(dir.cleanup);
    const old = new Datastore({ filename: join(dir.path, 'oidc-RefreshToken.db') });
    await old.loadDatabaseAsync();
    await old.ensureIndexAsync({ fieldName: 'accountId', sparse: true });
    await old.ensureIndexAsync({ fieldName: 'uid', sparse: true });
    await old.compactDatafileAsync();

    const store = await createEmbeddedStore(dir.path);
    await store.model('RefreshToken').upsert('rt-1', { accountId: 'a-1', grantId: 'g-1' }, 600);
    assert.deepEqual(await store.model('RefreshToken').findByAccountId('a-1'), [{ id: 'rt-1', payload: { accountId: 'a-1', grantId: 'g-1' } }]);
    await store.close();
    assert.deepEqual(await declaredIndexes(dir.path, 'RefreshToken'), ['expiresAt', 'grantId']);
  });
});
