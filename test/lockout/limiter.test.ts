/**
 * The lockout API against both stores: in process (with a mocked clock: no sleeps) and a real
 * Redis (short real waits where time must pass). The same assertions run on each.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, afterEach, before, beforeEach, describe, it, mock } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import { type CounterBackend, memoryCounters, redisCounters } from '../../src/lockout/counters.ts';
import { buildDimensions } from '../../src/lockout/dimensions.ts';
import { createLimiter, type Limiter, type Survey, type SurveyRequest } from '../../src/lockout/limiter.ts';
import { connectRedis, createFallbackAlarm } from '../../src/lockout/redis.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { redisMissing, startRedis, type TestRedis } from '../support/redis.ts';
import { recordCommands } from '../support/redis-monitor.ts';

/** Small numbers so every rule shows within a few failures. */
const DIMENSIONS = buildDimensions(
  loadConfig({
    LOCKOUT_USER_IP_FREE_FAILURES: '1',
    LOCKOUT_USER_IP_MAX_DELAY: '4s',
    LOCKOUT_BACKOFF_BASE: '1s',
    LOCKOUT_MFA_BACKOFF_BASE: '1s',
    LOCKOUT_IP_FAILURES: '3',
    LOCKOUT_IP_WINDOW: '1s',
  }).lockout,
);

function logSink(): { logger: ReturnType<typeof createLogger>; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  return { logger: createLogger('info', stream), lines: () => chunks.join('').split('\n').filter(Boolean) };
}

interface Harness {
  limiter: Limiter;
  /** Lets `seconds` pass: the mocked clock in memory, a real wait with Redis. */
  pass(seconds: number): Promise<void>;
}

function contract(open: () => Harness) {
  let h: Harness;
  let ip: string;
  let username: string;
  beforeEach(() => {
    h = open();
    username = `user-${randomUUID()}`;
    ip = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
  });

  it('grows the wait exponentially past the free failures and caps it', async () => {
    const pair = { username, ip };
    const retries = [];
    for (let i = 0; i < 5; i += 1) retries.push((await h.limiter.fail('login.user_ip', pair)).retryAfter);
    assert.deepEqual(retries, [0, 1, 2, 4, 4]);
    const verdict = await h.limiter.check('login.user_ip', pair);
    assert.equal(verdict.allowed, false);
    assert.equal(verdict.retryAfter, 4);
    assert.equal(verdict.failures, 5);
    assert.equal((await h.limiter.check('login.user_ip', { username, ip: '192.0.2.77' })).allowed, true, 'another address is not affected');
  });

  it('forgets the count and the wait on reset', async () => {
    const pair = { username, ip };
    await h.limiter.fail('login.user_ip', pair);
    await h.limiter.fail('login.user_ip', pair);
    assert.equal((await h.limiter.check('login.user_ip', pair)).allowed, false);
    await h.limiter.reset('login.user_ip', pair);
    assert.equal((await h.limiter.check('login.user_ip', pair)).allowed, true);
    assert.equal((await h.limiter.fail('login.user_ip', pair)).retryAfter, 0, 'the free failure is free again');
  });

  it('allows the next attempt once the announced wait has passed', async () => {
    const pair = { username, ip };
    await h.limiter.fail('login.user_ip', pair);
    const { retryAfter } = await h.limiter.fail('login.user_ip', pair);
    assert.equal(retryAfter, 1);
    await h.pass(retryAfter);
    assert.equal((await h.limiter.check('login.user_ip', pair)).allowed, true);
  });

  it('spends a budget, refuses until its window ends, then starts afresh', async () => {
    for (let i = 0; i < 2; i += 1) assert.equal((await h.limiter.fail('login.ip', { ip })).allowed, true);
    const spent = await h.limiter.fail('login.ip', { ip });
    assert.equal(spent.allowed, false);
    const refused = await h.limiter.check('login.ip', { ip });
    assert.deepEqual([refused.allowed, refused.retryAfter, refused.limit, refused.remaining], [false, 1, 3, 0]);
    await h.pass(refused.retryAfter);
    assert.equal((await h.limiter.check('login.ip', { ip })).allowed, true);
  });

  it('counts parallel failures exactly once each', async () => {
    const verdicts = await Promise.all(Array.from({ length: 20 }, () => h.limiter.fail('login.user', { username })));
    assert.deepEqual(
      verdicts.map((v) => v.failures).sort((a, b) => a - b),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it('hard-locks a username or address until an unlock', async () => {
    await h.limiter.lock('username', username.toUpperCase());
    await h.limiter.lock('ip', ip);
    assert.equal(await h.limiter.locked('username', ` ${username} `), true);
    assert.equal(await h.limiter.locked('ip', ip), true);
    await h.limiter.unlock({ username });
    assert.equal(await h.limiter.locked('username', username), false);
    assert.equal(await h.limiter.locked('ip', ip), true);
    await h.limiter.unlock({ ip });
    assert.equal(await h.limiter.locked('ip', ip), false);
  });

  it('unlocking an address clears every username back-off from it, and nothing else', async () => {
    const other = `user-${randomUUID()}`;
    const elsewhere = '192.0.2.200';
    for (const subject of [
      { username, ip },
      { username: other, ip },
      { username, ip: elsewhere },
    ]) {
      await h.limiter.fail('login.user_ip', subject);
      await h.limiter.fail('login.user_ip', subject);
    }
    await h.limiter.fail('login.ip', { ip });
    await h.limiter.unlock({ ip });
    assert.equal((await h.limiter.check('login.user_ip', { username, ip })).allowed, true);
    assert.equal((await h.limiter.check('login.user_ip', { username: other, ip })).allowed, true);
    assert.equal((await h.limiter.check('login.ip', { ip })).failures, 0);
    assert.equal((await h.limiter.check('login.user_ip', { username, ip: elsewhere })).allowed, false);
    await h.limiter.unlock({ username });
    assert.equal((await h.limiter.check('login.user_ip', { username, ip: elsewhere })).allowed, true);
  });

  it('remembers good standing for a pair only', async () => {
    await h.limiter.remember('login.known', { username, ip }, 60);
    assert.equal(await h.limiter.known('login.known', { username, ip }), true);
    assert.equal(await h.limiter.known('login.known', { username, ip: '192.0.2.1' }), false);
    assert.equal(await h.limiter.known('client.known', { client: username, ip }), false);
  });

  it('answers a survey as the separate checks and marks would, and skips what a known mark exempts', async () => {
    const pair = { client: `client-${randomUUID()}`, ip };
    // One request object asked again and again, as the token-endpoint guard does (the limiter
    // plans its read once per object): each answer still reads the counters as they are now.
    const request: SurveyRequest = {
      checks: [['endpoint.ip', { ip }]],
      exemption: {
        mark: 'client.known',
        subject: pair,
        checks: [
          ['client.auth', pair],
          ['client.total', { client: pair.client }],
        ],
      },
    };
    const survey = () => h.limiter.survey(request);
    const fresh = await survey();
    assert.equal(fresh.exempt, false);
    assert.deepEqual(fresh.verdicts, [
      await h.limiter.check('endpoint.ip', { ip }),
      await h.limiter.check('client.auth', pair),
      await h.limiter.check('client.total', { client: pair.client }),
    ]);
    for (let i = 0; i < 7; i += 1) await h.limiter.fail('client.auth', pair);
    await h.limiter.fail('endpoint.ip', { ip });
    const counted = await survey();
    assert.deepEqual(counted.verdicts, [
      await h.limiter.check('endpoint.ip', { ip }),
      await h.limiter.check('client.auth', pair),
      await h.limiter.check('client.total', { client: pair.client }),
    ]);
    assert.deepEqual([counted.verdicts[0]?.failures, counted.verdicts[1]?.failures, counted.verdicts[1]?.allowed], [1, 7, false]);
    await h.limiter.remember('client.known', pair, 60);
    const known = await survey();
    assert.equal(known.exempt, true);
    assert.deepEqual(known.verdicts, [await h.limiter.check('endpoint.ip', { ip })], 'a known address is not held to the checks its mark exempts it from');
    assert.deepEqual(await h.limiter.survey({ ...request }), known, 'a fresh request object gets the same answer');
  });

  it('serves the per-person dimensions later features call', async () => {
    const person = randomUUID();
    for (let i = 0; i < 5; i += 1) assert.equal((await h.limiter.fail('mfa.person', { person })).allowed, true);
    assert.equal((await h.limiter.fail('mfa.person', { person })).retryAfter, 1);
    for (let i = 0; i < 4; i += 1) await h.limiter.fail('password_reset.person', { person });
    assert.equal((await h.limiter.fail('password_reset.person', { person })).allowed, false);
    await h.limiter.unlock({ person });
    assert.equal((await h.limiter.check('mfa.person', { person })).allowed, true);
    assert.equal((await h.limiter.check('password_reset.person', { person })).allowed, true);
  });
}

describe('lockout limiter, in process (mocked clock)', () => {
  beforeEach(() => mock.timers.enable({ apis: ['Date', 'setTimeout'] }));
  afterEach(() => mock.timers.reset());
  contract(() => ({
    limiter: createLimiter(memoryCounters(), DIMENSIONS),
    async pass(seconds) {
      mock.timers.tick(seconds * 1000);
    },
  }));
});

describe('fallback alarm', () => {
  it('logs an error when counters leave Redis, repeats it at most once a minute, and a warning when they return', () => {
    const sink = logSink();
    let now = 0;
    const alarm = createFallbackAlarm(sink.logger, () => now);
    for (let i = 0; i < 100; i += 1) alarm.fallback();
    now = 59_000;
    alarm.fallback();
    now = 61_000;
    alarm.fallback();
    alarm.recovered();
    alarm.recovered();
    const lines = sink.lines().map((line) => JSON.parse(line) as { level: number; msg: string; operations: number });
    assert.deepEqual(
      lines.map((line) => [line.level, line.msg.split(':')[0], line.operations]),
      [
        [50, 'Redis unreachable', 1],
        [50, 'Redis still unreachable', 102],
        [40, 'Redis reachable again', 102],
      ],
    );
    assert.equal(alarm.active, false);
  });
});

describe('lockout limiter, in process (real timers)', () => {
  it('keeps a 30-day mark although a Node timer cannot count that far', async () => {
    // setTimeout past 2^31 ms (24.8 days) fires after 1 ms instead; the store must not use it raw.
    const limiter = createLimiter(memoryCounters(), DIMENSIONS);
    await limiter.remember('login.known', { username: 'alice', ip: '192.0.2.1' }, 30 * 86400);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(await limiter.known('login.known', { username: 'alice', ip: '192.0.2.1' }), true);
  });
});

describe('lockout limiter, Redis', { skip: redisMissing }, () => {
  let redis: TestRedis;
  const backends: CounterBackend[] = [];
  const open = async (logger = createLogger('silent'), url = redis.url) => {
    const alarm = createFallbackAlarm(logger);
    const backend = redisCounters(await connectRedis(url, alarm, logger), alarm);
    backends.push(backend);
    return { limiter: createLimiter(backend, DIMENSIONS), backend, alarm };
  };
  let shared: Limiter;
  before(async () => {
    redis = await startRedis();
    shared = (await open()).limiter;
  });
  after(async () => {
    await Promise.all(backends.map((backend) => backend.close()));
    await redis?.stop();
  });

  contract(() => ({
    limiter: shared,
    // Redis keeps real time; these waits are the announced ones plus a little slack.
    pass: (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000 + 100)),
  }));

  it('answers a survey with one Redis command, and from the fallback store when Redis is gone', async () => {
    const own = await startRedis();
    const { limiter } = await open(createLogger('silent'), own.url);
    const recorder = await recordCommands(own.url);
    const pair = { client: 'backend', ip: '203.0.113.44' };
    const request = {
      checks: [['endpoint.ip', { ip: pair.ip }]],
      exemption: {
        mark: 'client.known',
        subject: pair,
        checks: [
          ['client.auth', pair],
          ['client.total', { client: 'backend' }],
        ],
      },
    } as const;
    await limiter.fail('client.auth', pair);
    try {
      // The first surveys may load the script (EVAL after NOSCRIPT) or, on a loaded machine, find
      // the fresh connection not ready and answer from the fallback store; a steady survey is one command.
      let answer: Survey | undefined;
      let sent: Array<{ name: string }> = [];
      for (let attempt = 0; attempt < 10; attempt += 1) {
        sent = await recorder.record(async () => {
          answer = await limiter.survey(request);
        });
        if (sent.length === 1) break;
      }
      // EVALSHA once the script is cached on the server; ioredis may send the script itself (EVAL) instead: one command either way.
      assert.equal(sent.length, 1, `one command: one round trip (sent ${sent.map((command) => command.name).join(', ')})`);
      assert.match(sent[0]?.name ?? '', /^eval(sha)?$/);
      assert.equal(answer?.verdicts[1]?.failures, 1);
    } catch (error) {
      await own.stop();
      throw error;
    } finally {
      recorder.close();
    }
    await own.stop();
    const fallback = await limiter.survey(request);
    assert.deepEqual(
      fallback.verdicts.map((verdict) => verdict.allowed),
      [true, true, true],
      'the in-process store answers',
    );
  });

  it('shares counts between two connections (two instances)', async () => {
    const other = (await open()).limiter;
    const pair = { username: `user-${randomUUID()}`, ip: '203.0.113.5' };
    await shared.fail('login.user_ip', pair);
    await other.fail('login.user_ip', pair);
    const seen = await shared.check('login.user_ip', pair);
    assert.deepEqual([seen.failures, seen.allowed, seen.retryAfter], [2, false, 1]);
    await other.lock('ip', '203.0.113.5');
    assert.equal(await shared.locked('ip', '203.0.113.5'), true);
    await shared.unlock({ ip: '203.0.113.5' });
  });

  it('keeps answering and limiting in process when Redis dies, and says so loudly', async () => {
    const own = await startRedis();
    const sink = logSink();
    const alarm = createFallbackAlarm(sink.logger);
    const backend = redisCounters(await connectRedis(own.url, alarm, sink.logger), alarm);
    backends.push(backend);
    const limiter = createLimiter(backend, DIMENSIONS);
    const pair = { username: 'alice', ip: '203.0.113.9' };
    assert.equal(limiter.healthy(), true);
    await own.stop();
    const verdicts = [];
    for (let i = 0; i < 3; i += 1) verdicts.push(await limiter.fail('login.user_ip', pair));
    assert.deepEqual(
      verdicts.map((v) => v.retryAfter),
      [0, 1, 2],
      'the fallback store counts and backs off',
    );
    assert.equal((await limiter.check('login.user_ip', pair)).allowed, false);
    assert.equal(alarm.active, true);
    // The client notices the closed socket on its own schedule; operator changes wait for it.
    for (let i = 0; i < 40 && limiter.healthy(); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(limiter.healthy(), false);
    const alarms = sink.lines().filter((line) => line.includes('Redis unreachable'));
    assert.equal(alarms.length, 1, 'one loud line, not one per operation');
    assert.match(alarms[0] ?? '', /"level":50/);
  });

  it('gives up on a Redis that hangs instead of waiting with it', async () => {
    const own = await startRedis();
    const alarm = createFallbackAlarm(createLogger('silent'));
    const backend = redisCounters(await connectRedis(own.url, alarm, createLogger('silent')), alarm);
    backends.push(backend);
    const limiter = createLimiter(backend, DIMENSIONS);
    process.kill(own.pid, 'SIGSTOP');
    try {
      // Without the command timeout this would wait forever (the connection stays open).
      const verdict = await limiter.fail('login.user_ip', { username: 'alice', ip: '203.0.113.11' });
      assert.equal(verdict.failures, 1);
      assert.equal(alarm.active, true);
    } finally {
      await own.stop();
    }
  });

  it('shares counters again once Redis is back', async () => {
    const own = await startRedis();
    const sink = logSink();
    const alarm = createFallbackAlarm(sink.logger);
    const backend = redisCounters(await connectRedis(own.url, alarm, sink.logger), alarm);
    backends.push(backend);
    const limiter = createLimiter(backend, DIMENSIONS);
    await own.stop();
    await limiter.fail('login.user', { username: 'during-outage' });
    assert.equal(alarm.active, true);

    const back = await startRedis(own.port);
    try {
      // ioredis retries every 200 ms, 400 ms …; give it a few seconds at most.
      for (let i = 0; i < 100 && !limiter.healthy(); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(limiter.healthy(), true);
      assert.equal(alarm.active, false);
      assert.ok(sink.lines().some((line) => line.includes('Redis reachable again')));
      const other = (await open(createLogger('silent'), back.url)).limiter;
      const pair = { username: `user-${randomUUID()}`, ip: '203.0.113.10' };
      await limiter.fail('login.user_ip', pair);
      assert.equal((await other.check('login.user_ip', pair)).failures, 1, 'a second instance sees it');
    } finally {
      await back.stop();
    }
  });
});
