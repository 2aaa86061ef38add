/** The in-process attempt limiter: 5 wrong codes, then waits that double, under a moved clock. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryMfaLimiter } from '../../src/mfa/limiter.ts';
import { AppError } from '../../src/security/errors.ts';
import { TestClock } from '../support/mfa.ts';

async function retryAfter(promise: Promise<void>): Promise<number | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    assert.ok(error instanceof AppError);
    assert.equal(error.status, 429);
    assert.equal(error.code, 'too_many_attempts');
    return Number(error.headers['Retry-After']);
  }
}

async function fail(limiter: ReturnType<typeof createMemoryMfaLimiter>, id: string) {
  await limiter.check(id);
  await limiter.failed(id);
}

describe('in-process MFA attempt limiter', () => {
  it('allows 5 wrong codes, then answers 429 with Retry-After until the wait is over', async () => {
    const clock = new TestClock();
    const limiter = createMemoryMfaLimiter({ now: clock.now });
    for (let attempt = 0; attempt < 5; attempt += 1) await fail(limiter, 'a');
    assert.equal(await retryAfter(limiter.check('a')), 30);
    clock.advance(29);
    assert.equal(await retryAfter(limiter.check('a')), 1);
    clock.advance(1);
    assert.equal(await retryAfter(limiter.check('a')), undefined);
  });

  it('doubles the wait with each further wrong code, up to an hour', async () => {
    const clock = new TestClock();
    const limiter = createMemoryMfaLimiter({ now: clock.now });
    for (let attempt = 0; attempt < 5; attempt += 1) await fail(limiter, 'b');
    const waits: number[] = [];
    for (let round = 0; round < 9; round += 1) {
      const wait = (await retryAfter(limiter.check('b'))) as number;
      waits.push(wait);
      clock.advance(wait);
      await fail(limiter, 'b');
    }
    assert.deepEqual(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
  });

  it('forgives after a correct code, and keeps people apart', async () => {
    const clock = new TestClock();
    const limiter = createMemoryMfaLimiter({ now: clock.now });
    for (let attempt = 0; attempt < 4; attempt += 1) await fail(limiter, 'c');
    await limiter.check('c');
    await limiter.succeeded('c');
    for (let attempt = 0; attempt < 4; attempt += 1) await fail(limiter, 'c');
    assert.equal(await retryAfter(limiter.check('c')), undefined, 'the count started again');
    assert.equal(await retryAfter(limiter.check('someone-else')), undefined);
  });

  it('does not let a parallel burst through before the failures land', async () => {
    const limiter = createMemoryMfaLimiter({ now: new TestClock().now });
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, () => limiter.check('d')));
    assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 5);
  });

  it('forgets failures after a day without one', async () => {
    const clock = new TestClock();
    const limiter = createMemoryMfaLimiter({ now: clock.now });
    for (let attempt = 0; attempt < 4; attempt += 1) await fail(limiter, 'e');
    clock.advance(86401);
    await fail(limiter, 'e');
    assert.equal(await retryAfter(limiter.check('e')), undefined);
  });
});
