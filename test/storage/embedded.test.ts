import assert from 'node:assert/strict';
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
