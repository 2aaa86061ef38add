/**
 * The token endpoint's guard on Redis, counted on a real redis-server: a successful token request
 * from an address where the client authenticated before is one Redis command (one round trip)
 * and writes nothing; the guard still refuses what it refused before.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { redisMissing, startRedis, type TestRedis } from '../support/redis.ts';
import { type CommandRecorder, recordCommands } from '../support/redis-monitor.ts';
import { startServer, type TestServer } from '../support/server.ts';

const MACHINE = { id: 'machine', secret: 'machine-secret-that-is-long-enough' };

const tokenRequest = (url: string, secret = MACHINE.secret, ip = '10.7.0.1') =>
  fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: MACHINE.id, client_secret: secret }).toString(),
  });

describe('token endpoint guard on Redis', { skip: redisMissing }, () => {
  let redis: TestRedis;
  let server: TestServer;
  let recorder: CommandRecorder;
  before(async () => {
    redis = await startRedis();
    server = await startServer({ env: { REDIS_URL: redis.url, TRUST_PROXY: '127.0.0.1', LOCKOUT_CLIENT_FREE_FAILURES: '1', LOCKOUT_BACKOFF_BASE: '1m' } });
    recorder = await recordCommands(redis.url);
  });
  after(async () => {
    recorder?.close();
    await server?.close();
    await redis?.stop();
  });

  it('a successful token request from a known address costs one Redis round trip and writes nothing', async () => {
    // The first success from this address marks it known (one write); from then on only the read.
    assert.equal((await tokenRequest(server.url)).status, 200);
    assert.equal((await tokenRequest(server.url)).status, 200);
    let status = 0;
    const sent = await recorder.record(async () => {
      status = (await tokenRequest(server.url)).status;
    });
    assert.equal(status, 200);
    assert.deepEqual(
      sent.map((command) => command.name),
      ['evalsha'],
    );
  });

  it('the first success from a new address reads once and writes the mark once', async () => {
    let status = 0;
    const sent = await recorder.record(async () => {
      status = (await tokenRequest(server.url, MACHINE.secret, '10.7.0.2')).status;
    });
    assert.equal(status, 200);
    // The read, then rate-limiter-flexible's set of the mark: MULTI SET PTTL EXEC, one round trip.
    assert.deepEqual(
      sent.map((command) => command.name),
      ['evalsha', 'multi', 'set', 'pttl', 'exec'],
    );
    assert.match(String(sent[2]?.args[0]), /^portcullis:lockout:mark:client\.known:/);
  });

  it('still backs off a guessing address and refuses even the right secret there', async () => {
    const ip = '10.7.0.3';
    for (let i = 0; i < 2; i += 1) assert.equal((await tokenRequest(server.url, 'not-the-secret-at-all-not-at-all', ip)).status, 401);
    // The guard records a failure after the answer has gone out; with Redis that takes a round trip more.
    const limiter = server.portcullis.lockout;
    for (let i = 0; i < 40 && (await limiter.check('client.auth', { client: MACHINE.id, ip })).allowed; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const refused = await tokenRequest(server.url, MACHINE.secret, ip);
    assert.equal(refused.status, 429);
    assert.equal(((await refused.json()) as { error: string }).error, 'too_many_attempts');
    assert.equal(refused.headers.get('retry-after'), '60');
    assert.equal((await tokenRequest(server.url)).status, 200, 'the known address goes on');
  });
});
