import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPasswordHasher, isArgon2idHash } from '../../src/accounts/hashing.ts';

describe('argon2id PHC strings', () => {
  it('accepts the hashes our own hasher makes, so they can go into a bootstrap file', async () => {
    const hasher = await createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });
    const hash = await hasher.hash('a password');
    assert.equal(isArgon2idHash(hash), true, hash);
  });

  it('accepts the parameters in either order and refuses anything else', () => {
    const tail = '$c2FsdHNhbHQ$aGFzaA';
    assert.equal(isArgon2idHash(`$argon2id$v=19$m=19456,t=2,p=1${tail}`), true);
    assert.equal(isArgon2idHash(`$argon2id$v=19$m=19456,p=1,t=2${tail}`), true);
    assert.equal(isArgon2idHash(`$argon2id$v=19$m=19456,m=1,t=2${tail}`), false);
    assert.equal(isArgon2idHash(`$argon2i$v=19$m=19456,t=2,p=1${tail}`), false);
    assert.equal(isArgon2idHash(`$argon2id$v=19$m=19456,t=2${tail}`), false);
    assert.equal(isArgon2idHash('not a hash'), false);
  });
});
