/**
 * The login form with counters in a real Redis: the back-off as a person meets it, two instances
 * sharing one Redis, spoofed forwarding headers, and Redis dying under a running server.
 * Redis keeps real time, so the waits here are the announced ones (1–2 s, about 5 s in all).
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, beforeEach, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { createLogger } from '../../src/platform/logger.ts';
import { openLoginForm } from '../support/login-form.ts';
import { redisMissing, startRedis, type TestRedis } from '../support/redis.ts';
import { discover } from '../support/rp.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

const wait = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

const LOCKOUT = {
  LOCKOUT_USER_IP_FREE_FAILURES: '0',
  LOCKOUT_BACKOFF_BASE: '1s',
  LOCKOUT_USER_IP_MAX_DELAY: '2s',
  LOCKOUT_USER_FREE_FAILURES: '100',
  LOCKOUT_IP_FAILURES: '6',
};

describe('login throttling with Redis', { skip: redisMissing }, () => {
  let redis: TestRedis;
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    redis = await startRedis();
    const env = { ...LOCKOUT, REDIS_URL: redis.url };
    [a, b] = await Promise.all([startServer({ env }), startServer({ env })]);
  });
  after(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await redis?.stop();
  });
  // Every request here comes from 127.0.0.1: start each test with that address's slate clean.
  beforeEach(() => a.portcullis.lockout.unlock({ ip: '127.0.0.1' }));

  it('backs off 1 s, 2 s, then stays at the 2 s cap; each Retry-After is enough; success resets', async () => {
    const form = await openLoginForm(a.url);
    const retryAfters: string[] = [];
    for (let round = 0; round < 3; round += 1) {
      assert.equal((await form.attempt('alice', 'wrong')).status, 401, `round ${round}: allowed after the announced wait`);
      const refused = await form.attempt('alice', PASSWORD);
      assert.equal(refused.status, 429, 'the right password is refused too while the wait lasts');
      const retryAfter = refused.headers.get('retry-after') as string;
      retryAfters.push(retryAfter);
      await wait(Number(retryAfter));
    }
    assert.deepEqual(retryAfters, ['1', '2', '2']);
    assert.equal((await form.attempt('alice', PASSWORD)).status, 303, 'after the wait the right password works');

    const next = await openLoginForm(a.url);
    assert.equal((await next.attempt('alice', 'wrong')).status, 401);
    const refused = await next.attempt('alice', 'wrong');
    assert.equal(refused.headers.get('retry-after'), '1', 'the success started the count afresh');
  });

  it('shares counters between two instances', async () => {
    const onA = await openLoginForm(a.url);
    assert.equal((await onA.attempt('bob', 'wrong')).status, 401);
    const onB = await openLoginForm(b.url);
    const refused = await onB.attempt('bob', PASSWORD);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '1');
  });

  it('does not let a spoofed X-Forwarded-For buy new budget', async () => {
    const form = await openLoginForm(a.url);
    assert.equal((await form.attempt('bob', 'wrong', { headers: { 'x-forwarded-for': '198.51.100.1' } })).status, 401);
    const sameUser = await form.attempt('bob', PASSWORD, { headers: { 'x-forwarded-for': '198.51.100.2' } });
    assert.equal(sameUser.status, 429, 'the username + address back-off still sees 127.0.0.1');
    // The address budget (6 failures) across usernames, each try claiming another origin.
    for (let i = 1; i < 6; i += 1) {
      assert.equal((await form.attempt(`user${i}`, 'wrong', { headers: { 'x-forwarded-for': `198.51.100.${10 + i}` } })).status, 401);
    }
    const spent = await form.attempt('alice', PASSWORD, { headers: { 'x-forwarded-for': '198.51.100.99' } });
    assert.equal(spent.status, 429);
    assert.ok(Number(spent.headers.get('retry-after')) > 3000, 'the hour-long address window');
  });
});

describe('Redis dying under a running server', { skip: redisMissing }, () => {
  it('keeps answering (no 5xx), keeps limiting in process, and logs it loudly', async () => {
    const redis = await startRedis();
    const lines: string[] = [];
    const logger = createLogger(
      'warn',
      new Writable({
        write(chunk, _encoding, callback) {
          lines.push(String(chunk));
          callback();
        },
      }),
    );
    const token = 'operator-token-that-is-long-enough-0123456789';
    const server = await startServer({ env: { ...LOCKOUT, REDIS_URL: redis.url, OPERATOR_TOKEN: token }, options: { logger } });
    try {
      const form = await openLoginForm(server.url);
      assert.equal((await form.attempt('alice', PASSWORD)).status, 303);
      await redis.stop();

      const statuses: number[] = [];
      const next = await openLoginForm(server.url);
      statuses.push((await next.attempt('bob', 'wrong')).status);
      statuses.push((await next.attempt('bob', PASSWORD)).status);
      statuses.push((await next.attempt('bob', PASSWORD, { json: true })).status);
      assert.deepEqual(statuses, [401, 429, 429], 'the fallback store still backs off');

      const machine = await discover(server.url, 'machine', 'machine-secret-that-is-long-enough', oidc.ClientSecretPost('machine-secret-that-is-long-enough'));
      const tokens = await oidc.clientCredentialsGrant(machine, { scope: '' });
      assert.ok(tokens.access_token, 'the token endpoint answers too');
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);

      assert.ok(
        lines.some((line) => line.includes('Redis unreachable') && line.includes('"level":50')),
        'an error-level log line says so',
      );

      // An operator's unlock would only reach this process and come undone when Redis returns.
      const unlock = await fetch(`${server.url}/admin/v1/lockout/unlock`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ username: 'bob' }),
      });
      assert.equal(unlock.status, 503);
      assert.equal(((await unlock.json()) as { error: string }).error, 'temporarily_unavailable');
    } finally {
      await server.close();
      await redis.stop();
    }
  });
});
