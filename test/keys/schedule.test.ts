/** The lifecycle planners with a frozen clock: what happens to which key, and when. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import type { KeyOperationError } from '../../src/keys/errors.ts';
import { publishedKeys } from '../../src/keys/keystore.ts';
import { planRevoke, planRotate } from '../../src/keys/operations.ts';
import { CLOCK_SKEW_SECONDS, keyPolicy, longestSignedTokenLifetime } from '../../src/keys/policy.ts';
import { planSchedule } from '../../src/keys/schedule.ts';
import type { KeyRecord } from '../../src/storage/port.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = new Date('2030-01-01T00:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

// 30 days, JWKS cached 10 minutes, poll every 30 s: lead 10.5 minutes; tokens live 1 hour.
const policy = keyPolicy(loadConfig({ KEY_ROTATION_INTERVAL: '30d', JWKS_MAX_AGE: '10m', KEY_SYNC_INTERVAL: '30s' }), () => 3600);
const LEAD = 10 * MIN + 30_000;

function key(kid: string, state: KeyRecord['state'], fields: Partial<KeyRecord> = {}): KeyRecord {
  return { kid, alg: 'ES256', state, publicJwk: { kid }, sealedPrivateJwk: '', createdAt: T0, ...fields };
}
/** A configured RS256 key that is not the subject of the test, so the plan is about ES256 only. */
const rs = key('rs', 'current', { alg: 'RS256', activatesAt: at(100 * DAY) });

describe('key policy', () => {
  it('derives the publication lead and the retention from configuration', () => {
    assert.equal(policy.rotationInterval, 30 * DAY);
    assert.equal(policy.publishLead, LEAD);
    assert.equal(policy.retention(), (30 + 3600 + CLOCK_SKEW_SECONDS) * 1000);
    assert.deepEqual(policy.algorithms, ['ES256', 'RS256']);
  });

  it('keeps previous keys for the longest lifetime of anything they sign', () => {
    assert.equal(longestSignedTokenLifetime({ idToken: 3600, accessToken: 600, resourceAccessTokens: [] }), 3600);
    assert.equal(longestSignedTokenLifetime({ idToken: 600, accessToken: 600, resourceAccessTokens: [300, 86400] }), 86400);
  });
});

describe('scheduled lifecycle', () => {
  it('creates a signing key per algorithm on first start', () => {
    const steps = planSchedule([], T0, policy);
    assert.deepEqual(steps, [
      { type: 'create', alg: 'ES256', state: 'current', activatesAt: T0, demote: [] },
      { type: 'create', alg: 'RS256', state: 'current', activatesAt: T0, demote: [] },
    ]);
  });

  it('publishes the next key one lead before the interval ends, not a millisecond earlier', () => {
    const keys = [rs, key('a', 'current', { activatesAt: T0 })];
    const publishAt = 30 * DAY - LEAD;
    assert.deepEqual(planSchedule(keys, at(publishAt - 1), policy), []);
    assert.deepEqual(planSchedule(keys, at(publishAt), policy), [{ type: 'create', alg: 'ES256', state: 'next', activatesAt: at(30 * DAY), demote: [] }]);
  });

  it('stretches an interval shorter than the lead so the key is still published first', () => {
    const short = keyPolicy(loadConfig({ KEY_ROTATION_INTERVAL: '90s', JWKS_MAX_AGE: '10m', KEY_SYNC_INTERVAL: '30s' }), () => 60);
    const [step] = planSchedule([rs, key('a', 'current', { activatesAt: T0 })], at(1000), short);
    assert.deepEqual(step, { type: 'create', alg: 'ES256', state: 'next', activatesAt: at(1000 + LEAD), demote: [] });
  });

  it('activates the next key when its time comes and demotes the current one', () => {
    const keys = [rs, key('a', 'current', { activatesAt: T0 }), key('b', 'next', { createdAt: at(29 * DAY), activatesAt: at(30 * DAY) })];
    assert.deepEqual(planSchedule(keys, at(30 * DAY - 1), policy), []);
    assert.deepEqual(planSchedule(keys, at(30 * DAY), policy), [{ type: 'activate', alg: 'ES256', kid: 'b', demote: ['a'] }]);
  });

  it('retires a previous key once its retention is over', () => {
    const keys = [rs, key('a', 'current', { activatesAt: at(30 * DAY) }), key('old', 'previous', { retiresAt: at(30 * DAY + HOUR) })];
    assert.deepEqual(planSchedule(keys, at(30 * DAY + HOUR - 1), policy), []);
    assert.deepEqual(planSchedule(keys, at(30 * DAY + HOUR), policy), [{ type: 'retire', kid: 'old' }]);
  });

  it('repairs an interrupted rotation: the older of two current keys is demoted', () => {
    const keys = [rs, key('old', 'current', { activatesAt: T0 }), key('new', 'current', { activatesAt: at(DAY) })];
    assert.deepEqual(planSchedule(keys, at(2 * DAY), policy), [{ type: 'demote', kids: ['old'] }]);
    assert.equal(publishedKeys(keys).filter((k) => k.alg === 'ES256')[0]?.kid, 'new', 'the newest current key signs meanwhile');
  });

  it('lets a waiting next key sign at once when nothing else can', () => {
    const keys = [rs, key('n', 'next', { activatesAt: at(DAY) })];
    assert.deepEqual(planSchedule(keys, T0, policy), [{ type: 'activate', alg: 'ES256', kid: 'n', demote: [] }]);
  });

  it('publishes current, then next, then previous keys, and never retired or revoked ones', () => {
    const keys = [
      key('p', 'previous', { activatesAt: at(-DAY) }),
      key('r', 'retired'),
      key('x', 'revoked'),
      key('n', 'next', { activatesAt: at(DAY) }),
      key('c', 'current', { activatesAt: T0 }),
    ];
    assert.deepEqual(
      publishedKeys(keys).map((k) => k.kid),
      ['c', 'n', 'p'],
    );
  });
});

describe('operator rotation', () => {
  const current = key('a', 'current', { activatesAt: T0 });

  it('publishes a new key that signs one lead later', () => {
    assert.deepEqual(planRotate([rs, current], at(DAY), policy, { alg: 'ES256' }), [
      { type: 'create', alg: 'ES256', state: 'next', activatesAt: at(DAY + LEAD), demote: [] },
    ]);
  });

  it('brings a waiting next key forward, but not before it has been published for one lead', () => {
    const next = key('b', 'next', { createdAt: at(DAY), activatesAt: at(30 * DAY) });
    assert.deepEqual(planRotate([current, next], at(DAY + MIN), policy, { alg: 'ES256' }), [{ type: 'reschedule', kid: 'b', activatesAt: at(DAY + LEAD) }]);
    assert.deepEqual(planRotate([current, next], at(2 * DAY), policy, { alg: 'ES256' }), [{ type: 'reschedule', kid: 'b', activatesAt: at(2 * DAY) }]);
  });

  it('rotates immediately on request, with the waiting next key or a fresh one', () => {
    const next = key('b', 'next', { activatesAt: at(30 * DAY) });
    assert.deepEqual(planRotate([current, next], at(DAY), policy, { alg: 'ES256', immediate: true }), [
      { type: 'activate', alg: 'ES256', kid: 'b', demote: ['a'] },
    ]);
    assert.deepEqual(planRotate([current], at(DAY), policy, { alg: 'ES256', immediate: true }), [
      { type: 'create', alg: 'ES256', state: 'current', activatesAt: at(DAY), demote: ['a'] },
    ]);
  });

  it('covers every configured algorithm when none is named, and refuses unconfigured ones', () => {
    assert.equal(planRotate([rs, current], T0, policy, {}).length, 2);
    assert.throws(
      () => planRotate([], T0, policy, { alg: 'EdDSA' }),
      (error: unknown) => (error as KeyOperationError).code === 'unknown_algorithm',
    );
  });
});

describe('revocation', () => {
  const current = key('a', 'current', { activatesAt: T0 });

  it('puts a replacement in place before revoking the signing key', () => {
    const next = key('b', 'next', { activatesAt: at(30 * DAY) });
    assert.deepEqual(planRevoke([current, next], 'a', at(DAY)), [
      { type: 'activate', alg: 'ES256', kid: 'b', demote: [] },
      { type: 'revoke', kid: 'a', alg: 'ES256', from: 'current' },
    ]);
    assert.deepEqual(planRevoke([current], 'a', at(DAY)), [
      { type: 'create', alg: 'ES256', state: 'current', activatesAt: at(DAY), demote: [] },
      { type: 'revoke', kid: 'a', alg: 'ES256', from: 'current' },
    ]);
  });

  it('revokes a key that does not sign without touching the others', () => {
    assert.deepEqual(planRevoke([current, key('p', 'previous')], 'p', T0), [{ type: 'revoke', kid: 'p', alg: 'ES256', from: 'previous' }]);
  });

  it('refuses unknown and already revoked keys', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as KeyOperationError).code;
      }
      return 'none';
    };
    assert.equal(
      code(() => planRevoke([current], 'nope', T0)),
      'key_not_found',
    );
    assert.equal(
      code(() => planRevoke([key('x', 'revoked')], 'x', T0)),
      'key_already_revoked',
    );
  });
});
