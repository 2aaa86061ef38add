/**
 * TOTP under a frozen clock: RFC 6238 codes for now and one 30-second step either side are
 * accepted, anything further is not, and a code (a time step) is accepted once only — also when
 * the same code arrives in parallel.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { generate } from 'otplib';
import { createTotp } from '../../src/mfa/totp.ts';
import { TestClock, totpAt } from '../support/mfa.ts';
import { type Fixture, fixture, START } from '../support/mfa-fixture.ts';

// RFC 6238 Appendix B: the SHA-1 test secret "12345678901234567890" in base32.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('TOTP verifier with an injected clock', () => {
  it('matches the RFC 6238 SHA-1 test vectors (6 digits)', async () => {
    // T = 59 s → 94287082, T = 1111111109 → 07081804, T = 1234567890 → 89005924 (last 6 digits).
    for (const [seconds, code] of [
      [59, '287082'],
      [1111111109, '081804'],
      [1234567890, '005924'],
    ] as const) {
      const totp = createTotp(() => seconds * 1000);
      assert.equal(await totp.current(RFC_SECRET), code);
      assert.equal(await totp.match(RFC_SECRET, code), Math.floor(seconds / 30));
    }
  });

  const clock = new TestClock(START);
  const totp = createTotp(clock.now);
  const secret = totp.newSecret();
  const step = Math.floor(START / 30_000);

  it('accepts the current code and reports its time step', async () => {
    assert.equal(await totp.match(secret, await totpAt(secret, clock)), step);
  });

  it('accepts a code one step behind or ahead (clock drift)', async () => {
    assert.equal(await totp.match(secret, await totpAt(secret, clock, -1)), step - 1);
    assert.equal(await totp.match(secret, await totpAt(secret, clock, 1)), step + 1);
  });

  it('refuses codes two steps away, and a code once the clock has moved on', async () => {
    assert.equal(await totp.match(secret, await totpAt(secret, clock, -2)), undefined);
    assert.equal(await totp.match(secret, await totpAt(secret, clock, 2)), undefined);
    const code = await totpAt(secret, clock);
    const later = createTotp(() => START + 90_000);
    assert.equal(await later.match(secret, code), undefined);
  });

  it('refuses malformed codes without throwing', async () => {
    for (const code of ['', '12345', '1234567', 'abcdef', '12 456']) {
      assert.equal(await totp.match(secret, code), undefined);
    }
  });

  it('generates 160-bit base32 secrets', () => {
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.notEqual(totp.newSecret(), secret);
  });

  it('writes otpauth URIs that authenticator apps read', () => {
    const uri = new URL(totp.uri('id.example.com', 'alice', secret));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.searchParams.get('secret'), secret);
    assert.equal(uri.searchParams.get('issuer'), 'id.example.com');
  });
});

describe('TOTP replay through the MFA service', () => {
  let f: Fixture;
  let secret: string;
  const accountId = 'acc-totp';

  before(async () => {
    f = await fixture();
  });
  after(() => f.close());
  beforeEach(async () => {
    await f.mfa.remove(accountId);
    ({ secret } = await f.mfa.beginEnrolment(accountId, 'alice', { kind: 'session', id: 's' }));
    const enrolled = await f.mfa.completeEnrolment(accountId, await generate({ secret, epoch: Math.floor(f.clock.now() / 1000) }), {
      kind: 'session',
      id: 's',
    });
    assert.equal(enrolled.ok, true);
    f.clock.advance(30);
  });

  it('accepts a fresh code once and refuses the same code again', async () => {
    const code = await totpAt(secret, f.clock);
    assert.deepEqual(await f.mfa.verify(accountId, code), { ok: true, method: 'totp', backupCodesRemaining: 10 });
    assert.deepEqual(await f.mfa.verify(accountId, code), { ok: false });
    assert.equal(f.events.at(-1)?.type, 'mfa.failed');
    assert.deepEqual(f.events.at(-1)?.detail, { reason: 'replayed' });
  });

  it('refuses an older code after a newer step was used (drift does not reopen the past)', async () => {
    assert.equal((await f.mfa.verify(accountId, await totpAt(secret, f.clock, 1))).ok, true);
    assert.equal((await f.mfa.verify(accountId, await totpAt(secret, f.clock))).ok, false);
    assert.equal((await f.mfa.verify(accountId, await totpAt(secret, f.clock, -1))).ok, false);
  });

  it('refuses the code that confirmed the enrolment', async () => {
    f.clock.advance(-30);
    assert.equal((await f.mfa.verify(accountId, await totpAt(secret, f.clock))).ok, false);
  });
});

describe('TOTP replay raced in parallel', () => {
  it('lets exactly one of 20 parallel requests with the same code win', async () => {
    // No throttling here, so all 20 reach the store: this is about its conditional write.
    const open = { check: async () => {}, failed: async () => {}, succeeded: async () => {} };
    const f = await fixture(open);
    try {
      const { secret } = await f.mfa.beginEnrolment('acc-race', 'racer', { kind: 'session', id: 's' });
      assert.equal((await f.mfa.completeEnrolment('acc-race', await totpAt(secret, f.clock), { kind: 'session', id: 's' })).ok, true);
      f.clock.advance(30);
      const code = await totpAt(secret, f.clock);
      const results = await Promise.all(Array.from({ length: 20 }, () => f.mfa.verify('acc-race', code)));
      assert.equal(results.filter((result) => result.ok).length, 1);
      assert.equal(f.events.filter((event) => event.type === 'mfa.failed').length, 19);
    } finally {
      await f.close();
    }
  });
});
