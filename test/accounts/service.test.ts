import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import argon2 from 'argon2';
import { createPasswordHasher } from '../../src/accounts/hashing.ts';
import { createAccountService } from '../../src/accounts/service.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createPasswordPolicy } from '../../src/passwords/policy.ts';
import { createEmbeddedStore } from '../../src/storage/embedded/index.ts';
import type { Store } from '../../src/storage/port.ts';
import { tempDir } from '../support/tmp.ts';

describe('accounts', () => {
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

  it('hashes with argon2id at the configured parameters and normalises usernames', async () => {
    const hasher = await createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });
    const accounts = createAccountService(store.accounts, hasher);
    const created = await accounts.create({ username: '  Carol ', password: 'a long enough password' });
    assert.equal(created.username, 'carol');
    assert.match(created.passwordHash, /^\$argon2id\$v=19\$m=8192,/);
    assert.match(created.passwordHash, /[$,]t=1[$,]/);
    assert.equal((await accounts.authenticate('CAROL', 'a long enough password')).ok, true);
    assert.deepEqual(await accounts.authenticate('carol', 'wrong'), { ok: false, reason: 'invalid_credentials', accountId: created.id });
    assert.deepEqual(await accounts.authenticate('nobody', 'wrong'), { ok: false, reason: 'invalid_credentials' });
  });

  it('upgrades a hash made with weaker parameters at the next successful login', async () => {
    const weak = await createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });
    const strong = await createPasswordHasher({ memoryCost: 9216, timeCost: 2, parallelism: 1 });
    const created = await createAccountService(store.accounts, weak).create({ username: 'dave', password: 'another long password' });
    const result = await createAccountService(store.accounts, strong).authenticate('dave', 'another long password');
    assert.equal(result.ok, true);
    const stored = await store.accounts.findById(created.id);
    assert.match(stored?.passwordHash ?? '', /m=9216,/);
    assert.match(stored?.passwordHash ?? '', /[$,]t=2[$,]/);
    assert.equal(await argon2.verify(stored?.passwordHash ?? '', 'another long password'), true);
  });

  it('runs a decoy verification for unknown usernames', async () => {
    const real = await createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });
    let decoys = 0;
    const counting = {
      ...real,
      decoy: async (password: string) => {
        decoys += 1;
        await real.decoy(password);
      },
    };
    const accounts = createAccountService(store.accounts, counting);
    await accounts.authenticate('ghost', 'whatever');
    assert.equal(decoys, 1);
  });

  it('refuses disabled accounts only after checking the password', async () => {
    const hasher = await createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });
    const accounts = createAccountService(store.accounts, hasher);
    const erin = await accounts.create({ username: 'erin', password: 'erin has a password' });
    await store.accounts.update(erin.id, { status: 'disabled' });
    assert.equal((await accounts.authenticate('erin', 'erin has a password')).ok, false);
    const wrong = await accounts.authenticate('erin', 'not it');
    assert.equal(wrong.ok === false && wrong.reason, 'invalid_credentials');
  });

  it('recognises argon2id PHC strings in either parameter order', async () => {
    const { isArgon2idHash } = await import('../../src/accounts/hashing.ts');
    assert.equal(isArgon2idHash('$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g'), true);
    assert.equal(isArgon2idHash('$argon2id$v=19$m=19456,p=1,t=2$c2FsdHNhbHQ$aGFzaGhhc2g'), true);
    assert.equal(isArgon2idHash('$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g'), false);
    assert.equal(isArgon2idHash('plaintext'), false);
  });

  it('applies the password policy', async () => {
    // Issue 14 replaced accounts/policy.ts with passwords/policy.ts (test/passwords/policy.test.ts has the whole table).
    const hasher = await createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });
    const settings = loadConfig({ NODE_ENV: 'test', ISSUER: 'http://127.0.0.1:1', PASSWORD_BREACH_CHECK: 'off' }).passwords;
    const policy = createPasswordPolicy(settings, { hasher, breach: { enabled: false, lookup: async () => 'clean' } });
    const codes = async (password: string, username: string) => (await policy.check(password, { username })).map((v) => v.code);
    assert.deepEqual(await codes('short', 'x'), ['too_short', 'too_weak']);
    assert.deepEqual(await codes('aaaaaaaaaaaaaaa', 'x'), ['too_weak']);
    assert.deepEqual(await codes('my name is frank, ok?', 'frank'), ['like_username']);
    assert.deepEqual(await codes('correct horse battery staple', 'frank'), []);
  });
});
