/**
 * The embedded store's model files: a data directory written by the nedb-backed model store loads
 * with nothing lost, what is written now loads in that store again (a rollback), and no write is
 * acknowledged before it was handed to the OS, not even while a compaction rewrites the file.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createCollectionSet } from '../../src/storage/embedded/datastore.ts';
import { createEmbeddedStore } from '../../src/storage/embedded/index.ts';
import { createModelStore } from '../../src/storage/embedded/models.ts';
import { tempDir } from '../support/tmp.ts';
import { createModelStore as createNedbModelStore } from './fixtures/nedb-model-store.ts';

const dirs: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of dirs) await cleanup();
});

async function freshDir(): Promise<string> {
  const dir = await tempDir();
  dirs.push(dir.cleanup);
  return dir.path;
}

/** The model stores of the version before, on nedb, as its embedded store opened them. */
async function nedbModels(dir: string) {
  const collections = await createCollectionSet(dir);
  return {
    model: async (name: string) => createNedbModelStore(await collections.open(`oidc-${name}`), name),
    stop: () => {
      for (const collection of collections.all()) collection.stopAutocompaction();
    },
  };
}

describe('embedded model files', () => {
  it('loads a data directory the nedb model store wrote, deletions, dates and consumed marks included', async () => {
    const dir = await freshDir();
    const old = await nedbModels(dir);
    const sessions = await old.model('Session');
    const refresh = await old.model('RefreshToken');
    const access = await old.model('AccessToken');
    await sessions.upsert('s-1', { accountId: 'a-1', uid: 'u-1', authorizations: { 'client.with.dots': { sid: 'x' } } }, 600);
    await refresh.upsert('rt-1', { grantId: 'g-1', accountId: 'a-1', iat: 1_700_000_000_123 }, 600);
    await refresh.upsert('rt-2', { grantId: 'g-1', accountId: 'a-1' }, 600);
    assert.equal(await refresh.consume('rt-1'), true);
    await access.upsert('at-1', { grantId: 'g-2', scope: 'a' }, 600);
    await access.upsert('at-1', { grantId: 'g-2', scope: 'a b' }, 600);
    await access.upsert('at-gone', { grantId: 'g-2' }, 600);
    await access.destroy('at-gone');
    await access.upsert('at-revoked', { grantId: 'g-3' }, 600);
    await access.revokeByGrantId('g-3');
    await access.upsert('at-expired', { grantId: 'g-2' }, -5);
    old.stop();
    // Not compacted, as after a crash: updates, deletions and dates are lines in the file.
    const written = await readFile(join(dir, 'oidc-AccessToken.db'), 'utf8');
    assert.match(written, /"\$\$deleted":true/);
    assert.match(written, /"\$\$date":/);
    assert.match(written, /"\$\$indexCreated"/);

    const store = await createEmbeddedStore(dir);
    after(() => store.close());
    const expected = { accountId: 'a-1', uid: 'u-1', authorizations: { 'client.with.dots': { sid: 'x' } } };
    assert.deepEqual(await store.model('Session').find('s-1'), expected);
    assert.deepEqual(await store.model('Session').findByUid('u-1'), expected);
    assert.deepEqual(await store.model('Session').findByAccountId('a-1'), [{ id: 's-1', payload: expected }]);
    const first = await store.model('RefreshToken').find('rt-1');
    assert.equal(typeof first?.consumed, 'number', 'the consumed mark survived');
    assert.equal(first?.iat, 1_700_000_000_123);
    assert.equal(await store.model('RefreshToken').consume('rt-1'), false, 'and a consumed token stays consumed');
    assert.deepEqual((await store.model('RefreshToken').findByGrantId('g-1')).map((record) => record.id).sort(), ['rt-1', 'rt-2']);
    assert.deepEqual(await store.model('AccessToken').find('at-1'), { grantId: 'g-2', scope: 'a b' }, 'the last line of an id wins');
    assert.equal(await store.model('AccessToken').find('at-gone'), undefined);
    assert.equal(await store.model('AccessToken').find('at-revoked'), undefined);
    assert.equal(await store.model('AccessToken').find('at-expired'), undefined);
    assert.equal(await store.model('AccessToken').count(), 1);
  });

  it('writes files the nedb model store loads again, so a rollback loses nothing', async () => {
    const dir = await freshDir();
    const store = await createEmbeddedStore(dir);
    await store.model('RefreshToken').upsert('rt-1', { grantId: 'g-1' }, 600);
    await store.model('RefreshToken').upsert('rt-2', { grantId: 'g-1' }, 600);
    assert.equal(await store.model('RefreshToken').consume('rt-1'), true);
    await store.model('RefreshToken').destroy('rt-2');
    await store.model('Session').upsert('s-1', { uid: 'u-1', authorizations: { 'a.b': {} } }, 600);
    // No close: what a killed process leaves behind.
    const old = await nedbModels(dir);
    after(() => old.stop());
    const refresh = await old.model('RefreshToken');
    assert.equal(await refresh.consume('rt-1'), false);
    assert.equal(await refresh.find('rt-2'), undefined);
    assert.deepEqual(await (await old.model('Session')).findByUid('u-1'), { uid: 'u-1', authorizations: { 'a.b': {} } });
    await store.close();
  });

  it('acknowledges each write only once its line is in the file', async () => {
    const dir = await freshDir();
    const store = await createEmbeddedStore(dir);
    after(() => store.close());
    const file = join(dir, 'oidc-AccessToken.db');
    const model = store.model('AccessToken');
    // Issued in one turn, so they share one write; each checks the file when it is acknowledged.
    const seen = await Promise.all(
      Array.from({ length: 20 }, (_, n) => model.upsert(`at-${n}`, { grantId: 'g' }, 600).then(() => readFileSync(file, 'utf8').includes(`"_id":"at-${n}"`))),
    );
    assert.deepEqual(seen, Array(20).fill(true));
    assert.equal(await model.consume('at-3'), true);
    assert.match(readFileSync(file, 'utf8'), /"_id":"at-3".*"consumed":\d+/);
  });

  it('keeps every write acknowledged while a compaction rewrote the file', async () => {
    const dir = await freshDir();
    const model = await createModelStore(dir, 'RefreshToken', { fileMode: 0o600 });
    for (let n = 0; n < 200; n += 1) await model.upsert(`before-${n}`, { grantId: `g-${n % 7}` }, 600);
    let compacted = false;
    const compacting = model.compactDatafileAsync().then(() => {
      compacted = true;
    });
    // One write per turn of the event loop for as long as the rewrite takes (open, write, sync, rename).
    let during = 0;
    while (!compacted) {
      await Promise.all([model.upsert(`during-${during}`, { grantId: 'g-during' }, 600), model.consume(`before-${during % 200}`)]);
      during += 1;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await compacting;
    assert.ok(during > 1, 'writes were acknowledged while the file was rewritten');
    // Read back as the next start would, without close (a killed process does not close).
    const again = await createModelStore(dir, 'RefreshToken', { fileMode: 0o600 });
    after(() => {
      model.close();
      again.close();
    });
    assert.equal(await again.count(), 200 + during);
    assert.equal((await again.findByGrantId('g-during')).length, during);
    for (let n = 0; n < Math.min(during, 200); n += 1) assert.equal(await again.consume(`before-${n}`), false, `before-${n} stays consumed`);
  });

  it('takes the rewritten file when a crash left only it behind', async () => {
    const dir = await freshDir();
    const first = await createEmbeddedStore(dir);
    await first.model('Grant').upsert('g-1', { accountId: 'a-1' }, 600);
    await first.close();
    await rename(join(dir, 'oidc-Grant.db'), join(dir, 'oidc-Grant.db~'));
    const second = await createEmbeddedStore(dir);
    after(() => second.close());
    assert.deepEqual(await second.model('Grant').findByAccountId('a-1'), [{ id: 'g-1', payload: { accountId: 'a-1' } }]);
  });
});
