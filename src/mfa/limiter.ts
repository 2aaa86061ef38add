/**
 * Throttling of wrong second-factor codes, per person. The interface is what the MFA service
 * needs; the in-process implementation below serves a single instance until the shared
 * brute-force module (Redis-backed, cross-instance) takes its place behind the same interface.
 *
 * Policy: 5 consecutive wrong codes, then a wait of 30 s that doubles with every further wrong
 * code, up to 1 h. With ±1 step three codes in 10^6 are valid at any moment, so each guess wins
 * with p = 3·10^-6; at the 1 h ceiling that is 24 guesses a day (p ≈ 7·10^-5 per day), while a
 * person who mistypes a few times waits at most half a minute. Failures are forgotten after 24 h
 * without one.
 */
import { AppError } from '../security/errors.ts';
import type { Clock } from './totp.ts';

export interface MfaAttemptLimiter {
  /**
   * Throws a 429 AppError (with Retry-After) while this person may not try a code. Otherwise the
   * attempt is reserved: it counts against the limit until `failed` or `succeeded` settles it,
   * so a burst of parallel guesses cannot all pass before the first failure lands.
   */
  check(accountId: string): Promise<void>;
  failed(accountId: string): Promise<void>;
  succeeded(accountId: string): Promise<void>;
}

export interface MemoryLimiterOptions {
  maxFailures?: number;
  baseDelaySeconds?: number;
  maxDelaySeconds?: number;
  forgetAfterSeconds?: number;
  now?: Clock;
}

interface Entry {
  failures: number;
  pending: number;
  blockedUntil: number;
  lastFailure: number;
}

/** Entries kept before idle ones are swept; bounded because reaching MFA needs a valid password or session. */
const SWEEP_AT = 10_000;

export function tooManyAttempts(retryAfterSeconds: number): AppError {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return new AppError(429, 'too_many_attempts', `too many wrong codes; try again in ${seconds} seconds`, {
    headers: { 'Retry-After': String(seconds) },
  });
}

export function createMemoryMfaLimiter(options: MemoryLimiterOptions = {}): MfaAttemptLimiter {
  const maxFailures = options.maxFailures ?? 5;
  const base = (options.baseDelaySeconds ?? 30) * 1000;
  const ceiling = (options.maxDelaySeconds ?? 3600) * 1000;
  const forgetAfter = (options.forgetAfterSeconds ?? 86400) * 1000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();

  function entryFor(accountId: string): Entry {
    const time = now();
    let entry = entries.get(accountId);
    if (entry && entry.pending === 0 && time - entry.lastFailure > forgetAfter) {
      entries.delete(accountId);
      entry = undefined;
    }
    if (!entry) {
      if (entries.size >= SWEEP_AT) sweep(time);
      entry = { failures: 0, pending: 0, blockedUntil: 0, lastFailure: time };
      entries.set(accountId, entry);
    }
    return entry;
  }

  function sweep(time: number): void {
    for (const [key, entry] of entries) {
      if (entry.pending === 0 && time - entry.lastFailure > forgetAfter) entries.delete(key);
    }
  }

  return {
    async check(accountId) {
      const entry = entryFor(accountId);
      const time = now();
      if (entry.blockedUntil > time) throw tooManyAttempts((entry.blockedUntil - time) / 1000);
      // Attempts still in flight count as failures until they settle; past the limit, one try per wait.
      const budget = entry.failures < maxFailures ? maxFailures - entry.failures : 1;
      if (entry.pending >= budget) throw tooManyAttempts(1);
      entry.pending += 1;
    },
    async failed(accountId) {
      const entry = entryFor(accountId);
      const time = now();
      entry.pending = Math.max(0, entry.pending - 1);
      entry.failures += 1;
      entry.lastFailure = time;
      if (entry.failures >= maxFailures) {
        const delay = Math.min(ceiling, base * 2 ** (entry.failures - maxFailures));
        entry.blockedUntil = time + delay;
      }
    },
    async succeeded(accountId) {
      entries.delete(accountId);
    },
  };
}
