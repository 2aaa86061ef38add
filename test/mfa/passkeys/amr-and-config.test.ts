/** amr/acr for passkeys (mfa/acr.ts) and the WEBAUTHN_RP_ID rule (config/rp-id.ts), as pure functions and at start-up. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/index.ts';
import { rpIdProblem } from '../../../src/config/rp-id.ts';
import { ACR_MFA, ACR_PASSWORD, ACR_PHR, acrFor, passkeyAmr } from '../../../src/mfa/acr.ts';
import { mfaReasons } from '../../../src/mfa/policy.ts';

const facts = { userPresent: true, userVerified: true, backupEligible: false, attested: false, afterPassword: false };

describe('passkey amr and acr', () => {
  it('says hwk only for a device-bound passkey whose attestation verified, swk otherwise', () => {
    assert.deepEqual(passkeyAmr({ ...facts, attested: true }), ['hwk', 'user', 'mfa']);
    assert.deepEqual(passkeyAmr(facts), ['swk', 'user', 'mfa']);
    assert.deepEqual(passkeyAmr({ ...facts, attested: true, backupEligible: true }), ['swk', 'user', 'mfa']);
  });

  it('says user only with user presence, mfa only with user verification or a password, and never pin, fpt or face', () => {
    assert.deepEqual(passkeyAmr({ ...facts, userVerified: false }), ['swk', 'user']);
    assert.deepEqual(passkeyAmr({ ...facts, userPresent: false, userVerified: false }), ['swk']);
    assert.deepEqual(passkeyAmr({ ...facts, userVerified: false, afterPassword: true }), ['pwd', 'swk', 'user', 'mfa']);
    for (const amr of [passkeyAmr(facts), passkeyAmr({ ...facts, afterPassword: true })]) {
      assert.ok(!amr.some((value) => ['pin', 'fpt', 'face'].includes(value)));
    }
  });

  it('gives phr when asked for and met, the multi-factor acr for a user-verified passkey alone, never more than was shown', () => {
    const alone = passkeyAmr(facts);
    assert.equal(acrFor(alone, [ACR_PHR]), ACR_PHR);
    assert.equal(acrFor(alone, []), ACR_MFA);
    assert.equal(acrFor(alone, [ACR_MFA]), ACR_MFA);
    assert.equal(acrFor(passkeyAmr({ ...facts, userVerified: false }), [ACR_MFA]), ACR_PHR);
    assert.equal(acrFor(['pwd'], [ACR_PHR]), ACR_PASSWORD);
  });

  it('asks a session without a passkey for one when phr is requested, even with TOTP done', () => {
    const base = { enrolled: true, roles: [], clientRequiresMfa: false, maxAge: undefined };
    const config = { policy: 'when_required' as const, requiredRoles: [], enrolAtLogin: true, totpIssuer: 'x' };
    assert.deepEqual(mfaReasons(config, { ...base, requestedAcrs: [ACR_PHR], sessionAmr: ['pwd', 'otp', 'mfa'] }), ['acr_values']);
    assert.deepEqual(mfaReasons(config, { ...base, requestedAcrs: [ACR_PHR], sessionAmr: ['swk', 'user', 'mfa'] }), []);
    assert.deepEqual(mfaReasons(config, { ...base, requestedAcrs: [ACR_MFA], sessionAmr: ['swk', 'user', 'mfa'] }), []);
  });
});

describe('WEBAUTHN_RP_ID', () => {
  it('accepts the issuer host and a registrable parent domain of it', () => {
    assert.equal(rpIdProblem('login.example.com', 'login.example.com'), undefined);
    assert.equal(rpIdProblem('example.com', 'login.example.com'), undefined);
    assert.equal(rpIdProblem('example.co.uk', 'id.example.co.uk'), undefined);
    assert.equal(rpIdProblem('localhost', 'localhost'), undefined);
  });

  it('refuses an IP address, another site, and a bare public suffix', () => {
    assert.match(rpIdProblem('127.0.0.1', '127.0.0.1') ?? '', /IP address/);
    assert.match(rpIdProblem('[::1]', '[::1]') ?? '', /IP address/);
    assert.match(rpIdProblem('example.org', 'login.example.com') ?? '', /parent domain/);
    assert.match(rpIdProblem('ample.com', 'login.example.com') ?? '', /parent domain/);
    assert.match(rpIdProblem('com', 'login.example.com') ?? '', /public suffix/);
    assert.match(rpIdProblem('co.uk', 'id.example.co.uk') ?? '', /public suffix/);
    assert.match(rpIdProblem('github.io', 'me.github.io') ?? '', /public suffix/);
  });

  it('fails start-up with the variable named, and defaults to the issuer host (off for an IP-address issuer)', () => {
    assert.throws(() => loadConfig({ ISSUER: 'https://login.example.com', WEBAUTHN_RP_ID: 'evil.test' }), /WEBAUTHN_RP_ID: must be the issuer's host/);
    assert.throws(() => loadConfig({ ISSUER: 'https://login.example.com', WEBAUTHN_RP_ID: 'com' }), /WEBAUTHN_RP_ID: .*public suffix/);
    assert.equal(loadConfig({ ISSUER: 'https://login.example.com' }).webauthn.rpId, 'login.example.com');
    assert.equal(loadConfig({ ISSUER: 'https://login.example.com', WEBAUTHN_RP_ID: 'Example.com' }).webauthn.rpId, 'example.com');
    assert.equal(loadConfig({ ISSUER: 'https://login.example.com' }).webauthn.origin, 'https://login.example.com');
    assert.equal(loadConfig({ ISSUER: 'http://127.0.0.1:3000' }).webauthn.rpId, undefined);
    assert.equal(loadConfig({}).webauthn.rpName, 'Portcullis');
  });
});
