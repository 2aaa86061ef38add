/**
 * Verdicts as HTTP. A refusal is `429 too_many_attempts` with an honest `Retry-After` (whole
 * seconds, rounded up) and the IETF draft rate-limit fields in their widely deployed form
 * (draft-ietf-httpapi-ratelimit-headers-06: RateLimit-Limit / -Remaining / -Reset, Reset in
 * seconds). A hard lock is `423 account_locked`. Messages are generic: the same words whether
 * or not the username exists.
 */
import { AppError } from '../security/errors.ts';
import type { Verdict } from './limiter.ts';

export function waitPhrase(seconds: number): string {
  if (seconds < 90) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

export function rateLimitHeaders(verdict: Verdict): Record<string, string> {
  return {
    'Retry-After': String(verdict.retryAfter),
    'RateLimit-Limit': String(verdict.limit),
    'RateLimit-Remaining': '0',
    'RateLimit-Reset': String(verdict.retryAfter),
  };
}

/** The refused verdict that makes the caller wait longest, if any was refused. */
export function worst(verdicts: Verdict[]): Verdict | undefined {
  return verdicts.filter((verdict) => !verdict.allowed).sort((a, b) => b.retryAfter - a.retryAfter)[0];
}

/** `what` names the attempt in the message: "sign-in", "code", "request". */
export function refusal(verdict: Verdict, what = 'sign-in'): AppError {
  return new AppError(
    429,
    'too_many_attempts',
    `Too many ${what} attempts. For your security, please wait ${waitPhrase(verdict.retryAfter)} and try again.`,
    { headers: rateLimitHeaders(verdict) },
  );
}

export function lockedError(): AppError {
  return new AppError(423, 'account_locked', 'Sign-in is locked for this account or network. Please contact your administrator.');
}
