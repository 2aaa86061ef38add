/** Counter-key tokens: the cache in front of the hash never changes what a subject is counted under. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { token } from '../../src/lockout/keys.ts';

const hashed = (input: string) => createHash('sha256').update(input).digest('base64url').slice(0, 22);

describe('counter key tokens', () => {
  it('a cached token is the hash of the normalised part, before and after the cache empties', () => {
    const first = token('username', ' Alice ');
    assert.equal(first, hashed('username\u0000alice'));
    // More distinct values than the cache holds: it empties and fills again.
    for (let index = 0; index < 12_000; index += 1) token('ip', `198.51.${index >> 8}.${index & 255}`);
    assert.equal(token('username', ' Alice '), first);
    assert.equal(token('ip', '198.51.0.7'), hashed('ip\u0000198.51.0.7'));
  });

  it('the same value under two parts gets two tokens', () => {
    assert.notEqual(token('client', 'x'), token('person', 'x'));
    assert.equal(token('client', 'x'), hashed('client\u0000x'));
  });
});
