/**
 * The passkey ceremony glue (mfa/passkeys/) with answers built by a software authenticator
 * (test/support/webauthn.ts): each refusal has its stable code, a refusal is audited with at most
 * an id prefix, and the sign count rule tells device-bound from synced credentials.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createAuditBus } from '../../../src/audit/bus.ts';
import { createChallenges } from '../../../src/mfa/passkeys/challenges.ts';
import { createPasskeyRepository } from '../../../src/mfa/passkeys/credentials.ts';
import { createPasskeyService, type PasskeyService } from '../../../src/mfa/passkeys/service.ts';
import { PasskeyRefusal } from '../../../src/mfa/passkeys/types.ts';
import { createEmbeddedStore } from '../../../src/storage/embedded/index.ts';
import type { AuditRecord, Store } from '../../../src/storage/port.ts';
import { tempDir } from '../../support/tmp.ts';
import { SoftAuthenticator } from '../../support/webauthn.ts';

const RP = { rpId: 'login.example.com', rpName: 'Portcullis', origin: 'https://login.example.com' };
const SESSION = { kind: 'session' as const, id: 'session-uid-1' };
const SIGN_IN = { kind: 'interaction' as const, id: 'interaction-uid-1' };
const ALICE = { id: 'account-alice', username: 'alice' };

interface Options {
  challenge: string;
  user: { id: string };
}

describe('passkey ceremonies', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let service: PasskeyService;
  let events: AuditRecord[];
  let warnings: string[];
  let personFailures: string[];
  let addressFailures: string[];

  before(async () => {
    const dir = await tempDir();
    cleanup = dir.cleanup;
    store = await createEmbeddedStore(dir.path);
  });
  after(async () => {
    await store.close();
    await cleanup();
  });
  beforeEach(() => {
    events = [];
    warnings = [];
    personFailures = [];
    addressFailures = [];
    const audit = createAuditBus(() => undefined);
    audit.subscribe((event) => void events.push(event));
    service = createPasskeyService({
      ...RP,
      challenges: createChallenges(store.model('PasskeyChallenge')),
      repo: createPasskeyRepository(store.model('Passkey')),
      audit,
      personLimiter: { check: async () => undefined, failed: async (id) => void personFailures.push(id), succeeded: async () => undefined },
      addressLimiter: { check: async () => undefined, failed: async (ip) => void addressFailures.push(ip) },
      warn: (message) => void warnings.push(message),
    });
  });

  async function registered(flags = { up: true, uv: true }) {
    const authenticator = new SoftAuthenticator(RP.rpId, RP.origin, flags);
    const options = (await service.registrationOptions(ALICE, SESSION)) as Options;
    await service.register(ALICE.id, SESSION, JSON.stringify(authenticator.register(options)), 'laptop');
    return authenticator;
  }

  async function refusal(promise: Promise<unknown>): Promise<string> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof PasskeyRefusal, `expected a refusal, got ${String(error)}`);
    return error.code;
  }

  it('registers a passkey and signs in with it password-less', async () => {
    const authenticator = await registered();
    const [stored] = await service.list(ALICE.id);
    assert.equal(stored?.id, authenticator.id);
    assert.equal(stored?.name, 'laptop');
    assert.equal(stored?.attested, false);
    assert.equal(stored?.backupEligible, false);
    const options = (await service.authenticationOptions(SIGN_IN)) as Options & { userVerification: string; allowCredentials?: unknown[] };
    assert.equal(options.userVerification, 'required');
    assert.equal(options.allowCredentials, undefined);
    const proof = await service.authenticate(SIGN_IN, authenticator.assert(options), { kind: 'passwordless', ip: '192.0.2.1' });
    assert.equal(proof.accountId, ALICE.id);
    assert.equal(proof.userVerified, true);
    const [used] = await service.list(ALICE.id);
    assert.equal(used?.signCount, 1);
    assert.equal(typeof used?.lastUsedAt, 'number');
    assert.ok(events.some((event) => event.type === 'passkey.registered'));
    assert.ok(events.some((event) => event.type === 'passkey.sign_in'));
    await service.remove(ALICE.id, authenticator.id);
  });

  it('refuses a replayed challenge with challenge_unknown', async () => {
    const authenticator = await registered();
    const options = (await service.authenticationOptions(SIGN_IN)) as Options;
    const answer = authenticator.assert(options);
    await service.authenticate(SIGN_IN, answer, { kind: 'passwordless', ip: '192.0.2.1' });
    assert.equal(await refusal(service.authenticate(SIGN_IN, answer, { kind: 'passwordless', ip: '192.0.2.1' })), 'challenge_unknown');
    assert.deepEqual(addressFailures, ['192.0.2.1']);
    const refused = events.find((event) => event.type === 'passkey.refused');
    assert.equal(refused?.detail?.reason, 'challenge_unknown');
    assert.equal(refused?.detail?.credential, authenticator.id.slice(0, 8));
    assert.doesNotMatch(JSON.stringify(events), new RegExp(authenticator.id));
    await service.remove(ALICE.id, authenticator.id);
  });

  it('refuses a challenge issued to another sign-in with challenge_unknown', async () => {
    const authenticator = await registered();
    const options = (await service.authenticationOptions({ kind: 'interaction', id: 'someone-elses' })) as Options;
    assert.equal(await refusal(service.authenticate(SIGN_IN, authenticator.assert(options), { kind: 'passwordless', ip: '192.0.2.1' })), 'challenge_unknown');
    await service.remove(ALICE.id, authenticator.id);
  });

  it('refuses an answer made for another origin with origin_mismatch', async () => {
    const authenticator = await registered();
    const options = (await service.authenticationOptions(SIGN_IN)) as Options;
    const answer = authenticator.assert(options, { origin: 'https://login.example.com.evil.test' });
    assert.equal(await refusal(service.authenticate(SIGN_IN, answer, { kind: 'passwordless', ip: '192.0.2.1' })), 'origin_mismatch');
    await service.remove(ALICE.id, authenticator.id);
  });

  it('refuses an answer for another RP id with rp_id_mismatch, at registration and at sign-in', async () => {
    const stranger = new SoftAuthenticator('evil.test', RP.origin);
    const registration = (await service.registrationOptions(ALICE, SESSION)) as Options;
    assert.equal(await refusal(service.register(ALICE.id, SESSION, stranger.register(registration), 'x')), 'rp_id_mismatch');
    const authenticator = await registered();
    const options = (await service.authenticationOptions(SIGN_IN)) as Options;
    assert.equal(
      await refusal(service.authenticate(SIGN_IN, authenticator.assert(options, { rpId: 'example.com' }), { kind: 'passwordless', ip: '192.0.2.1' })),
      'rp_id_mismatch',
    );
    await service.remove(ALICE.id, authenticator.id);
  });

  it('refuses a sign count that went backwards on a device-bound passkey, and audits it', async () => {
    const authenticator = await registered();
    for (let i = 0; i < 2; i++) {
      const options = (await service.authenticationOptions(SIGN_IN)) as Options;
      await service.authenticate(SIGN_IN, authenticator.assert(options), { kind: 'passwordless', ip: '192.0.2.1' });
    }
    const options = (await service.authenticationOptions(SIGN_IN)) as Options;
    assert.equal(
      await refusal(service.authenticate(SIGN_IN, authenticator.assert(options, { counter: 1 }), { kind: 'passwordless', ip: '192.0.2.1' })),
      'sign_count_regressed',
    );
    const refused = events.find((event) => event.type === 'passkey.refused' && event.detail?.reason === 'sign_count_regressed');
    assert.equal(refused?.accountId, ALICE.id);
    assert.equal((await service.list(ALICE.id))[0]?.signCount, 2);
    await service.remove(ALICE.id, authenticator.id);
  });

  it('accepts a sign count that went backwards on a synced passkey, and logs it', async () => {
    const authenticator = await registered({ up: true, uv: true, be: true, bs: true } as never);
    assert.equal((await service.list(ALICE.id))[0]?.backupEligible, true);
    const first = (await service.authenticationOptions(SIGN_IN)) as Options;
    await service.authenticate(SIGN_IN, authenticator.assert(first, { counter: 5 }), { kind: 'passwordless', ip: '192.0.2.1' });
    const second = (await service.authenticationOptions(SIGN_IN)) as Options;
    const proof = await service.authenticate(SIGN_IN, authenticator.assert(second, { counter: 3 }), { kind: 'passwordless', ip: '192.0.2.1' });
    assert.equal(proof.accountId, ALICE.id);
    assert.equal(warnings.length, 1);
    await service.remove(ALICE.id, authenticator.id);
  });

  it('refuses a password-less answer without user verification', async () => {
    const authenticator = await registered({ up: true, uv: false });
    const options = (await service.authenticationOptions(SIGN_IN)) as Options;
    assert.equal(
      await refusal(service.authenticate(SIGN_IN, authenticator.assert(options), { kind: 'passwordless', ip: '192.0.2.1' })),
      'user_verification_required',
    );
    // As a second factor after the password, presence is enough; failures count per person there.
    const second = (await service.authenticationOptions(SIGN_IN, ALICE.id)) as Options & { allowCredentials: Array<{ id: string }> };
    assert.deepEqual(
      second.allowCredentials.map((entry) => entry.id),
      [authenticator.id],
    );
    const proof = await service.authenticate(SIGN_IN, authenticator.assert(second), { kind: 'second_factor', accountId: ALICE.id });
    assert.equal(proof.userVerified, false);
    await service.remove(ALICE.id, authenticator.id);
  });

  it('refuses a credential that is unknown or another account’s with credential_unknown, counted per person after the password', async () => {
    const authenticator = await registered();
    const options = (await service.authenticationOptions(SIGN_IN)) as Options;
    const unknown = new SoftAuthenticator(RP.rpId, RP.origin);
    assert.equal(await refusal(service.authenticate(SIGN_IN, unknown.assert(options), { kind: 'passwordless', ip: '192.0.2.9' })), 'credential_unknown');
    // Bob's step after his password cannot be passed with Alice's passkey (or with a challenge issued for her).
    const alices = (await service.authenticationOptions(SIGN_IN, ALICE.id)) as Options;
    assert.equal(
      await refusal(service.authenticate(SIGN_IN, authenticator.assert(alices), { kind: 'second_factor', accountId: 'account-bob' })),
      'challenge_unknown',
    );
    assert.deepEqual(addressFailures, ['192.0.2.9']);
    assert.deepEqual(personFailures, ['account-bob']);
    await service.remove(ALICE.id, authenticator.id);
  });

  it('refuses malformed answers with invalid_response', async () => {
    for (const answer of ['not json', '{}', JSON.stringify({ id: 'x', rawId: 'x', type: 'public-key', response: {} }), { id: { $ne: 1 } }]) {
      assert.equal(await refusal(service.authenticate(SIGN_IN, answer, { kind: 'passwordless', ip: '192.0.2.1' })), 'invalid_response');
    }
  });
});

describe('passkey challenges', () => {
  it('of 20 answers racing with one challenge, exactly one takes it', async () => {
    const dir = await tempDir();
    const store = await createEmbeddedStore(dir.path);
    try {
      const challenges = createChallenges(store.model('PasskeyChallenge'));
      const challenge = await challenges.issue('authenticate', SIGN_IN);
      const taken = await Promise.all(Array.from({ length: 20 }, () => challenges.take(challenge)));
      assert.equal(taken.filter(Boolean).length, 1);
      assert.equal(await challenges.take(challenge), undefined);
    } finally {
      await store.close();
      await dir.cleanup();
    }
  });

  it('a challenge older than 5 minutes is not taken', async () => {
    const dir = await tempDir();
    const store = await createEmbeddedStore(dir.path);
    try {
      let now = Date.now();
      const challenges = createChallenges(store.model('PasskeyChallenge'), () => now);
      const challenge = await challenges.issue('authenticate', SIGN_IN);
      now += 301_000;
      assert.equal(await challenges.take(challenge), undefined);
    } finally {
      await store.close();
      await dir.cleanup();
    }
  });
});
