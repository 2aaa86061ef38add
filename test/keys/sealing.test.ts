import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createSealer } from '../../src/keys/sealing.ts';

const key = () => randomBytes(32).toString('base64url');

describe('sealing secrets at rest', () => {
  it('round-trips and never repeats a ciphertext', () => {
    const sealer = createSealer([key()]);
    const a = sealer.seal('{"d":"secret"}');
    const b = sealer.seal('{"d":"secret"}');
    assert.notEqual(a, b);
    assert.doesNotMatch(a, /secret/);
    assert.equal(sealer.open(a), '{"d":"secret"}');
  });

  it('opens values sealed under an older key after rotation, seals under the new one', () => {
    const oldKey = key();
    const newKey = key();
    const sealedBefore = createSealer([oldKey]).seal('payload');
    const rotated = createSealer([newKey, oldKey]);
    assert.equal(rotated.open(sealedBefore), 'payload');
    assert.equal(createSealer([newKey]).open(rotated.seal('fresh')), 'fresh');
    assert.throws(() => createSealer([newKey]).open(sealedBefore), /no longer configured/);
  });

  it('detects tampering', () => {
    const sealer = createSealer([key()]);
    const parts = sealer.seal('payload').split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    assert.throws(() => sealer.open(parts.join('.')));
    assert.throws(() => sealer.open('garbage'), /not a sealed value/);
  });

  it('refuses keys of the wrong size', () => {
    assert.throws(() => createSealer([]));
    assert.throws(() => createSealer([randomBytes(16).toString('base64url')]));
  });
});
