/**
 * A policy refusal as the pages and JSON show it. The policy (passwords/policy.ts) throws an error
 * carrying `violations`; this reads it without depending on its class, and words each rule.
 */
import type { Context } from 'koa';
import type { PolicyViolation } from '../passwords/types.ts';

export function violationsOf(error: unknown): PolicyViolation[] | undefined {
  const violations = (error as { violations?: unknown } | null)?.violations;
  return Array.isArray(violations) ? (violations as PolicyViolation[]) : undefined;
}

export function inWords(violation: PolicyViolation): string {
  switch (violation.code) {
    case 'too_short':
      return `Use at least ${violation.min} characters.`;
    case 'too_long':
      return `Use at most ${violation.max} characters.`;
    case 'too_weak':
      return 'This password is too easy to guess: add more words or characters.';
    case 'missing_upper':
      return 'Use at least one capital letter.';
    case 'missing_lower':
      return 'Use at least one small letter.';
    case 'missing_digit':
      return 'Use at least one digit.';
    case 'missing_symbol':
      return 'Use at least one symbol.';
    case 'like_username':
      return 'Do not use your username in your password.';
    case 'like_email':
      return 'Do not use your email address in your password.';
    case 'reused':
      return `Do not use one of your last ${violation.history} passwords.`;
    case 'breached':
      return 'This password appears in a data breach: choose another.';
    case 'breach_check_unavailable':
      return 'This password cannot be checked against known breaches right now: try again shortly.';
  }
}

/** The JSON answer of every self-service route for a refused password. */
export function policyAnswer(ctx: Context, violations: PolicyViolation[]): void {
  ctx.status = 400;
  ctx.body = { error: 'password_policy', error_description: violations.map(inWords).join(' '), violations };
}
