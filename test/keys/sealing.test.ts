import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createSealer, rememberingSealer } from '../../src/keys/sealing.ts';

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

  it('a remembering sealer opens and seals each value once, and still refuses what the keys do not open', () => {
    const inner = createSealer([key()]);
    let opens = 0;
    let seals = 0;
    const counted = {
      seal(clear: string) {
        seals += 1;
        return inner.seal(clear);
      },
      open(text: string) {
        opens += 1;
        return inner.open(text);
      },
    };
    const remembering = rememberingSealer(counted, 2);
    const sealedElsewhere = inner.seal('session-a');
    assert.equal(remembering.open(sealedElsewhere), 'session-a');
    assert.equal(remembering.open(sealedElsewhere), 'session-a');
    assert.equal(opens, 1);
    const b = remembering.seal('session-b');
    assert.equal(remembering.seal('session-b'), b, 'the same value seals to the same text');
    assert.equal(remembering.open(b), 'session-b');
    assert.equal(seals, 1);
    assert.equal(opens, 1, 'what it sealed it can open without the cipher');
    assert.equal(inner.open(b), 'session-b', 'its sealed text is an ordinary sealed value');
    remembering.open(inner.seal('c'));
    remembering.open(inner.seal('d'));
    assert.equal(remembering.open(sealedElsewhere), 'session-a', 'forgotten beyond its size, then opened again');
    assert.equal(opens, 4);
    const parts = b.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    assert.throws(() => remembering.open(parts.join('.')));
  });
});
