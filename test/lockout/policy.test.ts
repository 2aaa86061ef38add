/** The pure parts of lockout: back-off arithmetic, key normalisation, the words of a wait. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import { backoffDelay } from '../../src/lockout/backoff.ts';
import { addressBucket, keyFor, patternFor, token } from '../../src/lockout/keys.ts';
import { waitPhrase } from '../../src/lockout/refusals.ts';

describe('exponential back-off', () => {
  it('is free for the first failures, then doubles from the base and stops at the cap', () => {
    const policy = { free: 3, base: 1, cap: 900 };
    const delays = Array.from({ length: 16 }, (_, i) => backoffDelay(i + 1, policy));
    assert.deepEqual(delays, [0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]);
  });

  it('stays finite and capped after millions of failures', () => {
    assert.equal(backoffDelay(5_000_000, { free: 0, base: 2, cap: 300 }), 300);
  });
});

describe('lockout keys', () => {
  it('counts IPv6 per /64, however the address is written', () => {
    assert.equal(addressBucket('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(addressBucket('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
    assert.equal(addressBucket('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(addressBucket('::1'), '0:0:0:0::/64');
    assert.equal(addressBucket('203.0.113.9'), '203.0.113.9');
  });

  it('treats usernames as the account service does (case, width, spaces)', () => {
    assert.equal(token('username', '  Alice '), token('username', 'alice'));
    assert.equal(token('username', 'ａｌｉｃｅ'), token('username', 'alice'));
    assert.notEqual(token('username', 'alice'), token('ip', 'alice'));
  });

  it('turns any username into a fixed token that globs cannot misread', () => {
    const key = keyFor(['username', 'ip'], { username: 'a*b?:[c]'.repeat(30), ip: '198.51.100.1' });
    assert.match(key, /^[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]{22}$/);
    assert.equal(patternFor(['username', 'ip'], { ip: '198.51.100.1' }), `*:${token('ip', '198.51.100.1')}`);
    assert.equal(patternFor(['client'], { ip: '198.51.100.1' }), undefined);
    assert.throws(() => keyFor(['username', 'ip'], { username: 'alice' }), /"ip" is missing/);
  });
});

describe('wait phrases', () => {
  it('rounds up and never promises less than the real wait', () => {
    assert.equal(waitPhrase(1), '1 second');
    assert.equal(waitPhrase(89), '89 seconds');
    assert.equal(waitPhrase(91), '2 minutes');
    assert.equal(waitPhrase(900), '15 minutes');
  });
});

describe('lockout configuration', () => {
  it('has the documented defaults', () => {
    const { lockout } = loadConfig({});
    assert.deepEqual(
      { ...lockout },
      {
        ipFailures: 100,
        ipWindow: 3600,
        userIpFreeFailures: 3,
        userIpMaxDelay: 900,
        userFreeFailures: 10,
        userMaxDelay: 300,
        backoffBase: 1,
        failureMemory: 86400,
        knownAddressTtl: 30 * 86400,
        hardLockFailures: 0,
        clientFreeFailures: 5,
        clientMaxDelay: 900,
        endpointIpFailures: 50,
        endpointIpWindow: 900,
        clientTotalFailures: 1000,
        clientTotalWindow: 3600,
        browserIpRequests: 300,
        browserIpWindow: 60,
        mfaFreeFailures: 5,
        mfaBackoffBase: 30,
        mfaMaxDelay: 3600,
        resetRequests: 5,
        resetWindow: 3600,
        resetIpRequests: 20,
        resetIpWindow: 3600,
        signupRequests: 3,
        signupWindow: 86400,
        signupIpRequests: 20,
        signupIpWindow: 3600,
      },
    );
  });

  it('refuses a cap below the base and a short operator token, naming the variable', () => {
    assert.throws(() => loadConfig({ LOCKOUT_BACKOFF_BASE: '10m', LOCKOUT_USER_MAX_DELAY: '5m' }), /LOCKOUT_USER_MAX_DELAY/);
    assert.throws(() => loadConfig({ OPERATOR_TOKEN: 'short' }), /OPERATOR_TOKEN: must be at least 32 characters/);
    assert.throws(() => loadConfig({ LOCKOUT_IP_FAILURES: '0' }), /LOCKOUT_IP_FAILURES/);
  });
});

describe('the removed LOCKOUT_OPERATOR_TOKEN', () => {
  it('stops the start, naming it and what replaced it', () => {
    assert.throws(
      () => loadConfig({ LOCKOUT_OPERATOR_TOKEN: 'operator-token-that-is-long-enough-0123456789' }),
      /LOCKOUT_OPERATOR_TOKEN: removed: OPERATOR_TOKEN now guards every operator route/,
    );
  });
});
