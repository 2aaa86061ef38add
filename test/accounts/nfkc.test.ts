/**
 * Passwords are NFKC-normalised before hashing; verification tries the NFKC form, then the raw
 * input once (hashes made before normalisation), and re-hashes the NFKC form after a raw match.
 * The unknown-username decoy pays the same number of verifications for the same input.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import argon2 from 'argon2';
import { type Argon2Engine, createPasswordHasher, type HashParameters } from '../../src/accounts/hashing.ts';
import { createAccountService } from '../../src/accounts/service.ts';
import type { AccountPatch, AccountRecord, AccountRepository } from '../../src/storage/port.ts';

const PARAMS: HashParameters = { memoryCost: 8192, timeCost: 1, parallelism: 1 };
const LIGATURE = 'ﬁne horse battery staple';
const PLAIN = 'fine horse battery staple';

function spyEngine() {
  const verified: string[] = [];
  const engine: Argon2Engine = {
    hash: (password, options) => argon2.hash(password, options),
    async verify(hash, password) {
      verified.push(password);
      return argon2.verify(hash, password);
    },
  };
  return { engine, verified };
}

function memoryRepo(accounts: AccountRecord[]) {
  const patches: AccountPatch[] = [];
  const repo = {
    findByUsername: async (username: string) => accounts.find((a) => a.username === username),
    findById: async (id: string) => accounts.find((a) => a.id === id),
    async update(id: string, patch: AccountPatch) {
      patches.push(patch);
      const account = accounts.find((a) => a.id === id);
      if (account) Object.assign(account, patch);
      return account;
    },
    create: async (account: AccountRecord) => void accounts.push(account),
  } as unknown as AccountRepository;
  return { repo, patches };
}

const record = (username: string, passwordHash: string): AccountRecord => {
  const now = new Date();
  return { id: username, username, roles: [], status: 'active', passwordHash, passwordChangedAt: now, createdAt: now, updatedAt: now };
};

describe('NFKC passwords', () => {
  it("a password set with a ligature ('ﬁ…') verifies when typed as plain letters ('fi…'), and the other way round", async () => {
    const hasher = await createPasswordHasher(PARAMS);
    const { repo } = memoryRepo([]);
    const accounts = createAccountService(repo, hasher);
    await accounts.create({ username: 'lig', password: LIGATURE });
    assert.equal((await accounts.authenticate('lig', PLAIN)).ok, true);
    await accounts.create({ username: 'plain', password: PLAIN });
    assert.equal((await accounts.authenticate('plain', LIGATURE)).ok, true);
  });

  it('a hash made from the raw (non-NFKC) input before this change verifies once with the raw input, and is re-hashed in NFKC form', async () => {
    const { engine, verified } = spyEngine();
    const hasher = await createPasswordHasher(PARAMS, { engine });
    const legacy = await argon2.hash(LIGATURE, { type: argon2.argon2id, ...PARAMS });
    const { repo, patches } = memoryRepo([record('old', legacy)]);
    const accounts = createAccountService(repo, hasher);
    verified.length = 0;
    assert.equal((await accounts.authenticate('old', LIGATURE)).ok, true);
    assert.deepEqual(verified, [PLAIN, LIGATURE], 'NFKC first, then the raw input once');
    const rehashed = patches.at(-1)?.passwordHash;
    assert.ok(rehashed && rehashed !== legacy, 're-hashed');
    assert.equal(await argon2.verify(rehashed, PLAIN), true, 'the new hash is of the NFKC form');
    // From now on the plain spelling works too, with one verification.
    verified.length = 0;
    assert.equal((await accounts.authenticate('old', PLAIN)).ok, true);
    assert.deepEqual(verified, [PLAIN]);
  });

  it('an unknown username pays as many verifications as a known one, for NFKC and non-NFKC input alike', async () => {
    const { engine, verified } = spyEngine();
    const hasher = await createPasswordHasher(PARAMS, { engine });
    const { repo } = memoryRepo([record('known', await hasher.hash('the real password of known'))]);
    const accounts = createAccountService(repo, hasher);
    for (const attempt of [LIGATURE, PLAIN]) {
      verified.length = 0;
      await accounts.authenticate('known', attempt);
      const known = verified.length;
      verified.length = 0;
      await accounts.authenticate('nobody', attempt);
      assert.equal(verified.length, known, attempt);
      assert.equal(known, attempt === PLAIN ? 1 : 2);
    }
  });
});
