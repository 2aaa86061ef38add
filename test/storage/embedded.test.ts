import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createEmbeddedStore } from '../../src/storage/embedded/index.ts';
import { tempDir } from '../support/tmp.ts';
import { runStorageContract } from './contract.ts';

const dirs: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of dirs) await cleanup();
});

runStorageContract('embedded', async () => {
  const dir = await tempDir();
  dirs.push(dir.cleanup);
  return createEmbeddedStore(dir.path);
});

describe('embedded store persistence', () => {
  it('keeps models, accounts and consumed marks across a restart', async () => {
    const dir = await tempDir();
    dirs.push(dir.cleanup);
    const first = await createEmbeddedStore(dir.path);
    await first.model('Grant').upsert('g-1', { accountId: 'a-1' }, 600);
    await first.model('AuthorizationCode').upsert('c-1', { grantId: 'g-1' }, 600);
    assert.equal(await first.model('AuthorizationCode').consume('c-1'), true);
    await first.records.put('bootstrap', 'x', { n: 1 });
    await first.close();

    const second = await createEmbeddedStore(dir.path);
    assert.deepEqual(await second.model('Grant').find('g-1'), { accountId: 'a-1' });
    assert.equal(await second.model('AuthorizationCode').consume('c-1'), false);
    assert.deepEqual(await second.records.get('bootstrap', 'x'), { n: 1 });
    await second.close();
  });
});

describe('embedded audit trail files', () => {
  it('moves the records of the nedb audit collection of earlier versions into the day files once, and deletes audit.db', async () => {
    const dir = await tempDir();
    dirs.push(dir.cleanup);
    const { Datastore } = await import('../../src/storage/embedded/nedb.ts');
    const legacy = new Datastore({ filename: join(dir.path, 'audit.db') });
    await legacy.loadDatabaseAsync();
    await legacy.insertAsync({
      _id: 'old-1',
      type: 'login.success',
      at: new Date('2026-11-01T10:00:00Z'),
      accountId: 'p-old',
      expiresAt: new Date('2027-01-30T10:00:00Z'),
    });
    await legacy.insertAsync({ _id: 'old-2', type: 'login.failed', at: new Date('2026-11-02T10:00:00Z'), accountId: 'p-old' });

    const store = await createEmbeddedStore(dir.path);
    assert.deepEqual(
      (await store.audit.list({ accountId: 'p-old' })).map(({ id, type, at }) => ({ id, type, at: at.toISOString() })),
      [
        { id: 'old-2', type: 'login.failed', at: '2026-11-02T10:00:00.000Z' },
        { id: 'old-1', type: 'login.success', at: '2026-11-01T10:00:00.000Z' },
      ],
    );
    assert.deepEqual((await readdir(join(dir.path, 'audit'))).sort(), ['2026-11-01.ndjson', '2026-11-02.ndjson']);
    await assert.rejects(stat(join(dir.path, 'audit.db')), { code: 'ENOENT' });
    await store.close();

    const again = await createEmbeddedStore(dir.path);
    assert.equal((await again.audit.list({ accountId: 'p-old' })).length, 2, 'moved once, not twice');
    await again.close();
  });

  it('writes the day files owner-only, one line per record, outside nedb', async () => {
    const dir = await tempDir();
    dirs.push(dir.cleanup);
    const store = await createEmbeddedStore(dir.path);
    await store.audit.append({ id: 'mode-1', type: 'login.success', at: new Date('2026-12-01T23:59:59.999Z') });
    await store.audit.append({ id: 'mode-2', type: 'login.success', at: new Date('2026-12-02T00:00:00.000Z') });
    const files = (await readdir(join(dir.path, 'audit'))).sort();
    assert.deepEqual(files, ['2026-12-01.ndjson', '2026-12-02.ndjson'], 'one file per UTC day');
    assert.equal((await stat(join(dir.path, 'audit'))).mode & 0o777, 0o700);
    assert.equal((await stat(join(dir.path, 'audit', '2026-12-02.ndjson'))).mode & 0o777, 0o600);
    const line = JSON.parse((await readFile(join(dir.path, 'audit', '2026-12-02.ndjson'), 'utf8')).trim()) as { id: string; at: string };
    assert.deepEqual(line, { id: 'mode-2', type: 'login.success', at: '2026-12-02T00:00:00.000Z' });
    await store.close();
  });
});
