/**
 * Finding 7: an unknown username must cost no less than a known one, whatever parameters the
 * known account's stored hash carries. Timing is not measured here: a spy on the argon2 engine
 * records the parameters of every verification each check pays, which is what the time follows.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import argon2 from 'argon2';
import { type Argon2Engine, createPasswordHasher, type HashParameters } from '../../src/accounts/hashing.ts';
import { createAccountService } from '../../src/accounts/service.ts';
import type { AccountRecord, AccountRepository } from '../../src/storage/port.ts';

const CONFIGURED: HashParameters = { memoryCost: 9216, timeCost: 2, parallelism: 1 };
const CHEAPER: HashParameters = { memoryCost: 8192, timeCost: 1, parallelism: 1 };

/** m, t, p of a PHC string (read here rather than with the code under test). */
function hashParameters(hash: string): HashParameters {
  const fields = Object.fromEntries((hash.split('$')[3] ?? '').split(',').map((pair) => [pair[0], Number(pair.slice(2))]));
  return { memoryCost: fields.m, timeCost: fields.t, parallelism: fields.p };
}

function spyEngine() {
  const verified: HashParameters[] = [];
  const engine: Argon2Engine = {
    hash: (password, options) => argon2.hash(password, options),
    async verify(hash, password) {
      verified.push(hashParameters(hash));
      return argon2.verify(hash, password);
    },
  };
  return { engine, verified };
}

function memoryRepo(accounts: AccountRecord[]): AccountRepository {
  return {
    findByUsername: async (username: string) => accounts.find((a) => a.username === username),
    findById: async (id: string) => accounts.find((a) => a.id === id),
    update: async () => undefined,
  } as unknown as AccountRepository;
}

const account = (username: string, passwordHash: string): AccountRecord => {
  const now = new Date();
  return { id: username, username, roles: [], status: 'active', passwordHash, passwordChangedAt: now, createdAt: now, updatedAt: now };
};

/** The largest m×t a check paid for: what its duration follows. */
const heaviest = (verified: HashParameters[]) => Math.max(...verified.map((p) => p.memoryCost * p.timeCost));

describe('password checks cost the same for unknown and non-conforming known usernames', () => {
  it('a known account whose stored hash is cheaper than configured pays the unknown-username decoy too', async () => {
    const { engine, verified } = spyEngine();
    const hasher = await createPasswordHasher(CONFIGURED, { engine });
    const cheapHash = await argon2.hash('the real password', { type: argon2.argon2id, ...CHEAPER });
    const service = createAccountService(memoryRepo([account('carol', cheapHash)]), hasher);

    verified.length = 0;
    await service.authenticate('nobody', 'wrong password');
    const unknown = [...verified];
    verified.length = 0;
    await service.authenticate('carol', 'wrong password');
    const known = [...verified];

    assert.deepEqual(unknown, [CONFIGURED], 'an unknown name pays one verification at the configured parameters');
    assert.ok(
      known.some((p) => p.memoryCost === CONFIGURED.memoryCost && p.timeCost === CONFIGURED.timeCost),
      'the cheap account pays the decoy too',
    );
    assert.ok(heaviest(known) >= heaviest(unknown), 'never cheaper than an unknown name');
  });

  it('a conforming account pays exactly what an unknown username pays, and nothing more', async () => {
    const { engine, verified } = spyEngine();
    const hasher = await createPasswordHasher(CONFIGURED, { engine });
    const service = createAccountService(memoryRepo([account('bob', await hasher.hash('bob password'))]), hasher);
    verified.length = 0;
    await service.authenticate('bob', 'wrong password');
    assert.deepEqual(verified, [CONFIGURED]);
  });

  it('the unknown-username decoy is ready without an argon2id computation at start-up, and still costs one at the configured parameters', async () => {
    const { engine, verified } = spyEngine();
    let hashed = 0;
    const counting: Argon2Engine = {
      ...engine,
      hash(password, options) {
        hashed += 1;
        return engine.hash(password, options);
      },
    };
    const hasher = await createPasswordHasher(CONFIGURED, { engine: counting });
    assert.equal(hashed, 0, 'nothing hashed while starting');
    const service = createAccountService(memoryRepo([]), hasher);
    assert.deepEqual(await service.authenticate('nobody', 'any password at all'), { ok: false, reason: 'invalid_credentials' });
    assert.deepEqual(verified, [CONFIGURED]);
  });
});
