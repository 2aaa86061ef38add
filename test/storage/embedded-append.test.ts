import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createCollectionSet } from '../../src/storage/embedded/datastore.ts';
import { createEmbeddedStore } from '../../src/storage/embedded/index.ts';
import { Datastore } from '../../src/storage/embedded/nedb.ts';
import { tempDir } from '../support/tmp.ts';

const dirs: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of dirs) await cleanup();
});

async function freshDir(): Promise<string> {
  const dir = await tempDir();
  dirs.push(dir.cleanup);
  return dir.path;
}

describe('embedded store writes', () => {
  it('keeps writing to the file after a compaction replaced it', async () => {
    const dir = await freshDir();
    const collections = await createCollectionSet(dir);
    const things = await collections.open('things');
    after(() => things.stopAutocompaction());
    await things.insertAsync({ _id: 'before' });
    await things.compactDatafileAsync();
    await things.insertAsync({ _id: 'after' });
    await things.updateAsync({ _id: 'before' }, { $set: { n: 2 } });

    // Read the file as a fresh process would, without compacting it first.
    const lines = (await readFile(join(dir, 'things.db'), 'utf8')).split('\n').filter(Boolean);
    const ids = lines.map((line) => (JSON.parse(line) as { _id?: string })._id);
    assert.deepEqual(ids, ['before', 'after', 'before']);
  });

  it('writes lines nedb reads back, dates included', async () => {
    const dir = await freshDir();
    const store = await createEmbeddedStore(dir);
    // Closed even when an assertion fails: open collections keep a compaction timer running.
    after(() => store.close());
    const createdAt = new Date('2024-05-06T07:08:09.010Z');
    await store.keys.insert({ kid: 'k-1', alg: 'ES256', state: 'current', publicJwk: { kty: 'EC' }, sealedPrivateJwk: 'sealed', createdAt });
    await store.model('Session').upsert('s-1', { accountId: 'a-1', uid: 'u-1', authorizations: { 'client.with.dots': { sid: 'x' } } }, 600);
    // No close(): what is on disk must already be complete, as after a crash of the process.
    const keys = new Datastore({ filename: join(dir, 'keys.db') });
    await keys.loadDatabaseAsync();
    const stored = await keys.findOneAsync({ _id: 'k-1' });
    assert.ok(stored?.createdAt instanceof Date);
    assert.equal((stored.createdAt as Date).getTime(), createdAt.getTime());
    const sessions = new Datastore({ filename: join(dir, 'oidc-Session.db') });
    await sessions.loadDatabaseAsync();
    assert.equal((await sessions.findOneAsync({ uid: 'u-1' }))?._id, 's-1');
  });
});
