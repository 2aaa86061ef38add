/**
 * A policy refusal as the self-service pages and JSON show it: the policy's error
 * (passwords/policy-error.ts) carries every violation; the sentences are the shared ones
 * (passwords/describe.ts), so a person reads the same reason wherever they set a password.
 */
import type { Context } from 'koa';
import { describeViolation, describeViolations } from '../passwords/describe.ts';
import { isPasswordPolicyError } from '../passwords/policy-error.ts';
import type { PolicyViolation } from '../passwords/types.ts';

export function violationsOf(error: unknown): PolicyViolation[] | undefined {
  return isPasswordPolicyError(error) ? error.violations : undefined;
}

export const inWords = describeViolation;

/** The JSON answer of every self-service route for a refused password. */
export function policyAnswer(ctx: Context, violations: PolicyViolation[]): void {
  ctx.status = 400;
  ctx.body = { error: 'password_policy', error_description: describeViolations(violations).join(' '), violations };
}

/**
 * A refused password, answered: JSON callers get `password_policy` with every violation, pages
 * the form again (`again`) listing them. True when `error` was a policy refusal and is answered.
 */
export async function answerRefusedPassword(
  ctx: Context,
  json: boolean,
  error: unknown,
  again: (status: number, locals: { error: string; violations: string[] }) => Promise<void>,
): Promise<boolean> {
  const violations = violationsOf(error);
  if (!violations) return false;
  if (json) policyAnswer(ctx, violations);
  else await again(400, { error: 'That password cannot be used:', violations: violations.map(inWords) });
  return true;
}
