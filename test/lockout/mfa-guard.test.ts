/**
 * The MFA throttle is the lockout module's `mfa.person` dimension (moved here from the removed
 * in-process limiter's tests): 5 free wrong codes, then waits from 30 s doubling to 1 h, one
 * check at a time per person, under a clock the test moves.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import { type CounterBackend, memoryCounters, redisCounters } from '../../src/lockout/counters.ts';
import { buildDimensions } from '../../src/lockout/dimensions.ts';
import { createLimiter } from '../../src/lockout/limiter.ts';
import { createMfaGuard } from '../../src/lockout/mfa-guard.ts';
import { connectRedis, createFallbackAlarm } from '../../src/lockout/redis.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { type AppError, asAppError } from '../../src/security/errors.ts';
import { TestClock } from '../support/mfa.ts';
import { redisMissing, startRedis, type TestRedis } from '../support/redis.ts';

function guard(clock: TestClock, env: Record<string, string> = {}) {
  const limiter = createLimiter(memoryCounters(clock.now), buildDimensions(loadConfig(env).lockout));
  return { limiter, guard: createMfaGuard(limiter) };
}

async function refused(promise: Promise<void>): Promise<AppError | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    const http = asAppError(error);
    assert.ok(http, 'a refusal of ours, not any error');
    assert.equal(http.status, 429);
    assert.equal(http.code, 'too_many_attempts');
    return http;
  }
}
const retryAfter = async (promise: Promise<void>) => {
  const error = await refused(promise);
  return error ? Number(error.headers['Retry-After']) : undefined;
};

async function fail(g: ReturnType<typeof createMfaGuard>, id: string) {
  await g.check(id);
  await g.failed(id);
}

describe('MFA attempt throttle (lockout dimension mfa.person)', () => {
  it('allows 5 free wrong codes; the next one starts a 30 s wait, answered 429 with Retry-After and RateLimit-* until it is over', async () => {
    const clock = new TestClock();
    const { guard: g } = guard(clock);
    for (let attempt = 0; attempt < 6; attempt += 1) await fail(g, 'a');
    const error = await refused(g.check('a'));
    assert.equal(error?.headers['Retry-After'], '30');
    assert.equal(error?.headers['RateLimit-Limit'], '5');
    assert.equal(error?.headers['RateLimit-Remaining'], '0');
    assert.equal(error?.headers['RateLimit-Reset'], '30');
    clock.advance(29);
    assert.equal(await retryAfter(g.check('a')), 1);
    clock.advance(1);
    assert.equal(await retryAfter(g.check('a')), undefined);
  });

  it('doubles the wait with each further wrong code, up to an hour', async () => {
    const clock = new TestClock();
    const { guard: g } = guard(clock);
    for (let attempt = 0; attempt < 6; attempt += 1) await fail(g, 'b');
    const waits: number[] = [];
    for (let round = 0; round < 9; round += 1) {
      const wait = (await retryAfter(g.check('b'))) as number;
      waits.push(wait);
      clock.advance(wait);
      await fail(g, 'b');
    }
    assert.deepEqual(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
  });

  it('follows LOCKOUT_MFA_FREE_FAILURES, LOCKOUT_MFA_BACKOFF_BASE and LOCKOUT_MFA_MAX_DELAY', async () => {
    const clock = new TestClock();
    const { guard: g } = guard(clock, { LOCKOUT_MFA_FREE_FAILURES: '2', LOCKOUT_MFA_BACKOFF_BASE: '10s', LOCKOUT_MFA_MAX_DELAY: '20s' });
    for (let attempt = 0; attempt < 3; attempt += 1) await fail(g, 'f');
    const waits: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      const wait = (await retryAfter(g.check('f'))) as number;
      waits.push(wait);
      clock.advance(wait);
      await fail(g, 'f');
    }
    assert.deepEqual(waits, [10, 20, 20]);
  });

  it('forgives after a correct code, and keeps people apart', async () => {
    const clock = new TestClock();
    const { guard: g } = guard(clock);
    for (let attempt = 0; attempt < 5; attempt += 1) await fail(g, 'c');
    await g.check('c');
    await g.succeeded('c');
    for (let attempt = 0; attempt < 5; attempt += 1) await fail(g, 'c');
    assert.equal(await retryAfter(g.check('c')), undefined, 'the count started again');
    assert.equal(await retryAfter(g.check('someone-else')), undefined);
  });

  it('does not let a parallel burst through before the failures land: one check at a time per person', async () => {
    const { guard: g } = guard(new TestClock());
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, () => g.check('d')));
    assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1);
    await g.failed('d');
    assert.equal(await retryAfter(g.check('d')), undefined, 'a settled attempt frees the slot');
  });

  it('forgets failures after a day', async () => {
    const clock = new TestClock();
    const { guard: g } = guard(clock);
    for (let attempt = 0; attempt < 5; attempt += 1) await fail(g, 'e');
    clock.advance(86401);
    await fail(g, 'e');
    assert.equal(await retryAfter(g.check('e')), undefined);
  });

  it('is cleared by the operator unlock', async () => {
    const clock = new TestClock();
    const { guard: g, limiter } = guard(clock);
    for (let attempt = 0; attempt < 6; attempt += 1) await fail(g, 'u');
    assert.equal(await retryAfter(g.check('u')), 30);
    await limiter.unlock({ username: 'whoever', person: 'u' });
    assert.equal(await retryAfter(g.check('u')), undefined);
  });
});

describe('MFA attempt throttle across instances (Redis)', { skip: redisMissing }, () => {
  let redis: TestRedis;
  const backends: CounterBackend[] = [];
  const instance = async () => {
    const logger = createLogger('silent');
    const alarm = createFallbackAlarm(logger);
    const backend = redisCounters(await connectRedis(redis.url, alarm, logger), alarm);
    backends.push(backend);
    const limiter = createLimiter(backend, buildDimensions(loadConfig({}).lockout));
    return { limiter, guard: createMfaGuard(limiter) };
  };
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await Promise.all(backends.map((backend) => backend.close()));
    await redis?.stop();
  });

  it('holds one check at a time per person across instances, shares the wait, and is cleared by an unlock on any instance', async () => {
    const [one, two] = [await instance(), await instance()];
    const person = randomUUID();
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).guard.check(person)));
    assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1);
    await one.guard.failed(person);
    for (let attempt = 0; attempt < 5; attempt += 1) await fail(one.guard, person);
    assert.equal(await retryAfter(two.guard.check(person)), 30, 'the other instance sees the wait');
    await two.limiter.unlock({ person });
    assert.equal(await retryAfter(one.guard.check(person)), undefined);
  });
});
