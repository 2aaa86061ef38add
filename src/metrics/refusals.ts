/**
 * Counting refusals where they happen, by wrapping the lockout limiter and the login guard: one
 * counter increment on a refused attempt, nothing on an allowed one. The wrappers change no
 * decision and pass every error through.
 */
import type { Limiter } from '../lockout/limiter.ts';
import type { LoginGuard } from '../lockout/login-attempts.ts';
import { DomainError } from '../platform/errors.ts';
import type { Metrics } from './registry.ts';

/** The limiter, counting every `check` that refuses by its dimension (a closed set: lockout/dimensions.ts). */
export function countRefusals(limiter: Limiter, metrics: Metrics): Limiter {
  return {
    ...bind(limiter),
    async check(dimension, subject) {
      const verdict = await limiter.check(dimension, subject);
      if (!verdict.allowed) metrics.lockoutRefusals.inc({ dimension });
      return verdict;
    },
    async survey(request) {
      const survey = await limiter.survey(request);
      for (const verdict of survey.verdicts) if (!verdict.allowed) metrics.lockoutRefusals.inc({ dimension: verdict.dimension });
      return survey;
    },
  };
}

/** Every method of the limiter bound to it, plus its `backend` (read live through a getter). */
function bind(limiter: Limiter): Limiter {
  return {
    get backend() {
      return limiter.backend;
    },
    healthy: () => limiter.healthy(),
    spec: (dimension) => limiter.spec(dimension),
    check: (dimension, subject) => limiter.check(dimension, subject),
    fail: (dimension, subject) => limiter.fail(dimension, subject),
    reset: (dimension, subject) => limiter.reset(dimension, subject),
    remember: (mark, subject, seconds) => limiter.remember(mark, subject, seconds),
    known: (mark, subject) => limiter.known(mark, subject),
    survey: (request) => limiter.survey(request),
    lock: (part, value) => limiter.lock(part, value),
    locked: (part, value) => limiter.locked(part, value),
    unlock: (subject) => limiter.unlock(subject),
  };
}

/** The login guard, counting each sign-in it refuses: `throttled` (429) or `locked` (423). */
export function countLoginRefusals(guard: LoginGuard, metrics: Metrics): LoginGuard {
  return {
    ...guard,
    async check(attempt) {
      try {
        await guard.check(attempt);
      } catch (error) {
        if (error instanceof DomainError && error.code === 'account_locked') metrics.loginAttempts.inc({ result: 'locked' });
        else if (error instanceof DomainError && error.code === 'too_many_attempts') metrics.loginAttempts.inc({ result: 'throttled' });
        throw error;
      }
    },
  };
}
