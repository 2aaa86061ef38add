/**
 * Cookie signatures (security/cookie-keys.ts) are keygrip's, so cookies signed before the switch
 * still verify; the first key signs, older keys verify; anything else is refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Keygrip from 'keygrip';
import { createCookieKeys } from '../../src/security/cookie-keys.ts';

const SECRETS = ['the newest cookie key, which signs', 'an older cookie key, still accepted'];
const DATA = '_interaction=PbOfKg0b0I0vBH7F1xCn2';

describe('cookie signing keys', () => {
  it('sign exactly as keygrip with sha256 does, so existing cookies stay valid', () => {
    const ours = createCookieKeys(SECRETS);
    const theirs = new Keygrip(SECRETS, 'sha256');
    for (const data of [DATA, '', 'ünïcödé=välue', '_session.legacy=x'.repeat(40)]) {
      assert.equal(ours.sign(data), theirs.sign(data));
      assert.equal(ours.index(data, theirs.sign(data)), 0);
    }
  });

  it('a signature by an older key verifies with its index; a wrong, altered or malformed one is refused', () => {
    const ours = createCookieKeys(SECRETS);
    const byOlder = new Keygrip([SECRETS[1] as string], 'sha256').sign(DATA);
    assert.equal(ours.index(DATA, byOlder), 1);
    assert.equal(ours.verify(DATA, byOlder), true);

    const good = ours.sign(DATA);
    const altered = `${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`;
    const forged = new Keygrip(['a key nobody configured'], 'sha256').sign(DATA);
    for (const digest of [altered, forged, '', good.slice(1), `${good}A`, 'é'.repeat(43), undefined as unknown as string]) {
      assert.equal(ours.index(DATA, digest), -1, `refused: ${String(digest)}`);
      assert.equal(ours.verify(DATA, digest), false);
    }
    assert.equal(ours.index(`${DATA}x`, good), -1, 'a signature belongs to its own data');
  });

  it('a signature seen before still answers as a fresh HMAC would: same index, only for its own data, also after the memory is full', () => {
    const ours = createCookieKeys(SECRETS);
    const byOlder = new Keygrip([SECRETS[1] as string], 'sha256').sign(DATA);
    assert.equal(ours.index(DATA, byOlder), 1);
    assert.equal(ours.index(DATA, byOlder), 1, 'the second time, from memory, names the same key');
    assert.equal(ours.index(`${DATA}x`, byOlder), -1, 'a remembered digest does not vouch for other data');
    const many = Array.from({ length: 5000 }, (_, n) => `_session=${n}`);
    const digests = many.map((data) => ours.sign(data));
    for (const [n, data] of many.entries()) assert.equal(ours.index(data, digests[n] as string), 0);
    assert.equal(ours.index(DATA, byOlder), 1, 'forgotten when full, then verified afresh');
    assert.equal(ours.index(many[0] as string, digests[1] as string), -1);
  });
});
