/** A refused password: 400 `password_policy`, carrying every violation (security/errors.ts adds them to JSON). */
import { DomainError } from '../platform/errors.ts';
import { describeViolations } from './describe.ts';
import type { PolicyViolation } from './types.ts';

export class PasswordPolicyError extends DomainError {
  override name = 'PasswordPolicyError';
  readonly violations: PolicyViolation[];
  constructor(violations: PolicyViolation[]) {
    super('password_policy', `this password cannot be used: ${describeViolations(violations).join(' ')}`, undefined, { violations });
    this.violations = violations;
  }
}

export const isPasswordPolicyError = (error: unknown): error is PasswordPolicyError => error instanceof PasswordPolicyError;
