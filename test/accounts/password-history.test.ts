import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import argon2 from 'argon2';
import { createPasswordHasher } from '../../src/accounts/hashing.ts';
import { createAccountService } from '../../src/accounts/service.ts';
import { createEmbeddedStore } from '../../src/storage/embedded/index.ts';
import type { Store } from '../../src/storage/port.ts';
import { tempDir } from '../support/tmp.ts';

describe('password history', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  before(async () => {
    const dir = await tempDir();
    cleanup = dir.cleanup;
    store = await createEmbeddedStore(dir.path);
  });
  after(async () => {
    await store.close();
    await cleanup();
  });

  it('setPassword keeps the previous hashes newest first, as many as PASSWORD_HISTORY needs beside the current one', async () => {
    const hasher = await createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });
    const accounts = createAccountService(store.accounts, hasher, { history: 3 });
    const { id } = await accounts.create({ username: 'hank', password: 'password number zero' });
    for (const n of ['one', 'two', 'three']) await accounts.setPassword(id, `password number ${n}`);
    const after = await accounts.findById(id);
    assert.equal(after?.passwordHistory?.length, 2, 'history 3 = the current one and 2 before it');
    assert.equal(await argon2.verify(after?.passwordHistory?.[0] as string, 'password number two'), true);
    assert.equal(await argon2.verify(after?.passwordHistory?.[1] as string, 'password number one'), true);
  });

  it('setPassword clears must_change and the breach mark; with history 0 nothing is kept', async () => {
    const hasher = await createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });
    const accounts = createAccountService(store.accounts, hasher, { history: 0 });
    const { id } = await accounts.create({ username: 'ivy', password: 'password number zero', mustChangePassword: true });
    await store.accounts.update(id, { passwordCompromisedAt: new Date(), passwordHistory: ['$argon2id$old'] });
    await accounts.setPassword(id, 'password number one');
    const after = await accounts.findById(id);
    assert.equal(after?.mustChangePassword, undefined);
    assert.equal(after?.passwordCompromisedAt, undefined);
    assert.equal(after?.passwordHistory, undefined);
  });
});
