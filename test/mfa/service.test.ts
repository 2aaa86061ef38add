/** Enrolment, backup codes and removal in the MFA service, over a real (embedded) store. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BACKUP_CODE_COUNT, hashBackupCode, normaliseBackupCode } from '../../src/mfa/backup-codes.ts';
import { DomainError } from '../../src/platform/errors.ts';
import { totpAt } from '../support/mfa.ts';
import { type Fixture, fixture } from '../support/mfa-fixture.ts';

/** The surface (here: one issuer session) an enrolment runs on. */
const HERE = { kind: 'session', id: 'session-1' } as const;

const open = { check: async () => {}, failed: async () => {}, succeeded: async () => {} };

async function enrolled(f: Fixture, accountId: string) {
  const { secret } = await f.mfa.beginEnrolment(accountId, accountId, HERE);
  const result = await f.mfa.completeEnrolment(accountId, await totpAt(secret, f.clock), HERE);
  if (!result.ok) throw new Error('enrolment failed');
  f.clock.advance(30);
  return { secret, codes: result.backupCodes };
}

describe('MFA enrolment', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture();
  });
  after(() => f.close());

  it('completes only after a correct first code', async () => {
    const { secret, uri } = await f.mfa.beginEnrolment('acc-1', 'alice', HERE);
    assert.match(uri, /^otpauth:\/\/totp\//);
    assert.deepEqual(await f.mfa.completeEnrolment('acc-1', '000000', HERE), { ok: false });
    assert.equal(await f.mfa.isEnrolled('acc-1'), false);
    const result = await f.mfa.completeEnrolment('acc-1', await totpAt(secret, f.clock), HERE);
    assert.equal(result.ok, true);
    assert.equal(await f.mfa.isEnrolled('acc-1'), true);
    assert.equal(f.events.filter((event) => event.type === 'mfa.enrolled' && event.accountId === 'acc-1').length, 1);
  });

  it('shows the same secret when the page is reloaded, and a new one after an hour', async () => {
    const first = await f.mfa.beginEnrolment('acc-2', 'bob', HERE);
    assert.equal((await f.mfa.beginEnrolment('acc-2', 'bob', HERE)).secret, first.secret);
    f.clock.advance(3600);
    const later = await f.mfa.beginEnrolment('acc-2', 'bob', HERE);
    assert.notEqual(later.secret, first.secret);
    assert.equal((await f.store.mfa.listByAccount('acc-2')).length, 1, 'the stale attempt is gone');
  });

  it('binds an unconfirmed secret to the surface that asked: another surface gets its own, and cannot confirm the first', async () => {
    const owner = await f.mfa.beginEnrolment('acc-5', 'erin', HERE);
    const elsewhere = { kind: 'interaction', id: 'interaction-1' } as const;
    const stranger = await f.mfa.beginEnrolment('acc-5', 'erin', elsewhere);
    assert.notEqual(stranger.secret, owner.secret, 'another surface is never shown the owner’s secret');
    assert.equal((await f.mfa.beginEnrolment('acc-5', 'erin', HERE)).secret, owner.secret, 'the owner’s reload still shows theirs');
    assert.deepEqual(
      await f.mfa.completeEnrolment('acc-5', await totpAt(owner.secret, f.clock), elsewhere),
      { ok: false },
      'only the secret bound to the confirming surface counts',
    );
    assert.equal((await f.mfa.completeEnrolment('acc-5', await totpAt(owner.secret, f.clock), HERE)).ok, true);
    f.clock.advance(30);
    assert.deepEqual(await f.mfa.verify('acc-5', await totpAt(stranger.secret, f.clock)), { ok: false }, 'the other secret died unconfirmed');
    const left = (await f.store.mfa.listByAccount('acc-5')).filter((factor) => factor.type === 'totp');
    assert.equal(left.length, 1);
  });

  it('keeps the secret sealed at rest', async () => {
    const { secret } = await f.mfa.beginEnrolment('acc-3', 'carol', HERE);
    const [record] = await f.store.mfa.listByAccount('acc-3');
    assert.ok(record?.sealedSecret?.startsWith('v1.'));
    assert.ok(!record?.sealedSecret?.includes(secret));
  });

  it('refuses a second authenticator while one is set up', async () => {
    await enrolled(f, 'acc-4');
    await assert.rejects(f.mfa.beginEnrolment('acc-4', 'dave', HERE), (error: unknown) => error instanceof DomainError && error.code === 'already_enrolled');
  });
});

describe('backup codes', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(open);
  });
  after(() => f.close());

  it('gives 10 distinct codes on enrolment, stored only as hashes', async () => {
    const { codes } = await enrolled(f, 'acc-b1');
    assert.equal(codes.length, BACKUP_CODE_COUNT);
    assert.equal(new Set(codes).size, BACKUP_CODE_COUNT);
    for (const code of codes) assert.match(code, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    const stored = JSON.stringify(await f.store.mfa.listByAccount('acc-b1'));
    for (const code of codes) {
      assert.ok(!stored.includes(code) && !stored.includes(normaliseBackupCode(code) as string), 'no plaintext code in the store');
    }
  });

  it('reads codes forgivingly and hashes them with a per-set salt', () => {
    assert.equal(normaliseBackupCode(' abcd-efgh jkoi '), 'ABCDEFGHJK01');
    assert.equal(normaliseBackupCode('ABCD-EFGH-JKL0'), 'ABCDEFGHJK10');
    assert.equal(normaliseBackupCode('ABCD-EFGH-JKU0'), undefined, 'U is not in the alphabet');
    assert.equal(normaliseBackupCode('ABCD-EFGH'), undefined);
    assert.notEqual(hashBackupCode('set-1', 'ABCDEFGHJK01'), hashBackupCode('set-2', 'ABCDEFGHJK01'));
  });

  it('accepts each code once, typed loosely, and counts down', async () => {
    const { codes } = await enrolled(f, 'acc-b2');
    const [code] = codes as [string];
    const loose = code.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o');
    assert.deepEqual(await f.mfa.verify('acc-b2', loose), { ok: true, method: 'backup_code', backupCodesRemaining: 9 });
    assert.deepEqual(await f.mfa.verify('acc-b2', code), { ok: false });
    assert.equal((await f.mfa.status('acc-b2')).backupCodesRemaining, 9);
    const types = f.events.filter((event) => event.accountId === 'acc-b2').map((event) => event.type);
    assert.ok(types.includes('mfa.backup_code_used'));
  });

  it('lets exactly one of 20 parallel uses of the same code win', async () => {
    const { codes } = await enrolled(f, 'acc-b3');
    const results = await Promise.all(Array.from({ length: 20 }, () => f.mfa.verify('acc-b3', codes[0] as string)));
    assert.equal(results.filter((result) => result.ok).length, 1);
    assert.equal((await f.mfa.status('acc-b3')).backupCodesRemaining, 9);
  });

  it('voids the old set when new codes are made', async () => {
    const { codes: old } = await enrolled(f, 'acc-b4');
    const fresh = await f.mfa.regenerateBackupCodes('acc-b4');
    assert.equal(fresh.length, BACKUP_CODE_COUNT);
    assert.deepEqual(await f.mfa.verify('acc-b4', old[1] as string), { ok: false });
    assert.equal((await f.mfa.verify('acc-b4', fresh[1] as string)).ok, true);
  });

  it('warns when three or fewer are left', async () => {
    const { codes } = await enrolled(f, 'acc-b5');
    for (const code of codes.slice(0, 6)) assert.equal((await f.mfa.verify('acc-b5', code)).ok, true);
    assert.deepEqual(await f.mfa.status('acc-b5'), { enrolled: true, backupCodesRemaining: 4, backupCodesLow: false });
    assert.equal((await f.mfa.verify('acc-b5', codes[6] as string)).ok, true);
    assert.deepEqual(await f.mfa.status('acc-b5'), { enrolled: true, backupCodesRemaining: 3, backupCodesLow: true });
  });
});

describe('removing MFA', () => {
  it('deletes every factor and records it', async () => {
    const f = await fixture();
    try {
      const { secret } = await enrolled(f, 'acc-r');
      await f.mfa.remove('acc-r');
      assert.equal(await f.mfa.isEnrolled('acc-r'), false);
      assert.deepEqual(await f.store.mfa.listByAccount('acc-r'), []);
      assert.deepEqual(await f.mfa.verify('acc-r', await totpAt(secret, f.clock)), { ok: false });
      assert.ok(f.events.some((event) => event.type === 'mfa.removed' && event.accountId === 'acc-r'));
    } finally {
      await f.close();
    }
  });
});
