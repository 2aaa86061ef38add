/**
 * Verdicts as refusals: `too_many_attempts` carries the wait (whole seconds, rounded up) and the
 * budget that refused; a hard lock is `account_locked`. security/errors.ts turns them into 429
 * with Retry-After and RateLimit-* and into 423. Messages are generic: the same words whether or
 * not the username exists.
 */
import { DomainError } from '../platform/errors.ts';
import type { Verdict } from './limiter.ts';

export function waitPhrase(seconds: number): string {
  if (seconds < 90) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

/** The refused verdict that makes the caller wait longest, if any was refused. */
export function worst(verdicts: Verdict[]): Verdict | undefined {
  return verdicts.filter((verdict) => !verdict.allowed).sort((a, b) => b.retryAfter - a.retryAfter)[0];
}

/** `what` names the attempt in the message: "sign-in", "code", "request". */
export function refusal(verdict: Verdict, what = 'sign-in'): DomainError {
  return new DomainError('too_many_attempts', `Too many ${what} attempts. For your security, please wait ${waitPhrase(verdict.retryAfter)} and try again.`, {
    retryAfter: verdict.retryAfter,
    limit: verdict.limit,
  });
}

export function lockedError(): DomainError {
  return new DomainError('account_locked', 'Sign-in is locked for this account or network. Please contact your administrator.');
}
