/**
 * A new `password_hash` in the bootstrap file is a password reset (the only one production has
 * without an admin API): refresh-token families begun before it are refused, like after a change
 * at /account/password. And a sign-in that re-hashes a cheaper bootstrap hash is no operator edit:
 * the file's later changes for that person still apply.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import argon2 from 'argon2';
import type Provider from 'oidc-provider';
import { createPasswordHasher } from '../../src/accounts/hashing.ts';
import { createAccountService } from '../../src/accounts/service.ts';
import { applyBootstrap, type BootstrapDeps } from '../../src/bootstrap/apply.ts';
import { predatesPasswordChange } from '../../src/oidc/refresh/password-change.ts';
import type { ResourceRegistry } from '../../src/oidc/resources.ts';
import { createEmbeddedStore } from '../../src/storage/embedded/index.ts';
import { captureLogger } from '../support/log-capture.ts';
import { tempDir } from '../support/tmp.ts';

const PARAMETERS = { memoryCost: 19456, timeCost: 2, parallelism: 1 };
const hash = (password: string, timeCost = PARAMETERS.timeCost) => argon2.hash(password, { type: argon2.argon2id, ...PARAMETERS, timeCost });
const file = (passwordHash: string, name = 'Alice') => ({
  clients: [],
  resources: [],
  users: [{ username: 'alice', name, roles: [], password_hash: passwordHash }],
});
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('bootstrap password resets', () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  async function setUp() {
    const dir = await tempDir();
    const store = await createEmbeddedStore(dir.path);
    cleanups.push(async () => {
      await store.close();
      await dir.cleanup();
    });
    const accounts = createAccountService(store.accounts, await createPasswordHasher(PARAMETERS));
    const log = captureLogger('info');
    const deps: BootstrapDeps = {
      store,
      clients: store.model('Client'),
      provider: {} as Provider,
      accounts,
      resources: {} as ResourceRegistry,
      logger: log.logger,
      production: true,
      hashParameters: PARAMETERS,
    };
    return { store, accounts, log, deps };
  }

  it('a new password_hash in the bootstrap file refuses refresh-token families begun before it', async () => {
    const { accounts, deps } = await setUp();
    await applyBootstrap(file(await hash('the first passphrase')), deps);
    const alice = await accounts.findByUsername('alice');
    assert.ok(alice);
    await tick();
    const family = { accountId: alice.id, familyBeganAt: Date.now(), iiat: Math.floor(Date.now() / 1000) };
    const changedAt = async (id: string) => (await accounts.findById(id))?.passwordChangedAt.getTime();
    assert.equal(await predatesPasswordChange(family, changedAt), false, 'before the reset the family is fine');
    await tick();
    await applyBootstrap(file(await hash('the second passphrase')), deps);
    assert.equal((await accounts.authenticate('alice', 'the second passphrase')).ok, true, 'the reset applied');
    assert.equal(await predatesPasswordChange(family, changedAt), true, 'and the older family is refused');
  });

  it('a sign-in that re-hashes a cheaper bootstrap hash does not stop later file changes from applying', async () => {
    const { accounts, log, deps } = await setUp();
    const cheaper = await hash('the first passphrase', 1);
    await applyBootstrap(file(cheaper), deps);
    assert.equal((await accounts.authenticate('alice', 'the first passphrase')).ok, true);
    const rehashed = await accounts.findByUsername('alice');
    assert.notEqual(rehashed?.passwordHash, cheaper, 're-hashed at sign-in');
    await applyBootstrap(file(cheaper, 'Alice Example'), deps);
    const renamed = await accounts.findByUsername('alice');
    assert.equal(renamed?.name, 'Alice Example', 'the file’s change applied');
    assert.equal(renamed?.passwordHash, rehashed?.passwordHash, 'the same hash in the file is no reset: the stronger hash stays');
    assert.equal(renamed?.passwordChangedAt.getTime(), rehashed?.passwordChangedAt.getTime(), 'and no family is refused for it');
    assert.deepEqual(
      log.warnings().filter((line) => /changed since it was applied/.test(line.msg)),
      [],
    );
  });
});
