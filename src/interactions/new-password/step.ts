/**
 * The new-password step, read from the stored interaction only. Two reasons lead here, each
 * leaving its key in the interaction result (as mfa/step.ts does with `mfa_pending`):
 * - `must_change`: this interaction's password step succeeded for a person an administrator
 *   marked `must_change` (`password_change_pending`). Nothing is committed to a session until the
 *   new password is stored, so the admin-set password never opens a session or reaches the second
 *   factor.
 * - `compromised`: the password was found in a breach and the second factor was verified in this
 *   interaction (`compromised_password_pending`, breach/after-factors.ts); once a new password is
 *   stored the sign-in ends with that second factor.
 * The prompt is still `login`: a password typed again on /login starts over.
 */
import type { Interaction } from '../types.ts';

/** Key in the interaction result that holds "admin-set password verified, a new one is due". */
export const PASSWORD_CHANGE_PENDING = 'password_change_pending';
/** Key in the interaction result that holds "breached password and second factor verified, a new one is due". */
export const COMPROMISED_PASSWORD_PENDING = 'compromised_password_pending';

export type NewPasswordStep =
  | { accountId: string; reason: 'must_change' }
  /** `verifiedAt`: when the second factor was verified (epoch ms), the sign-in's auth_time. */
  | { accountId: string; reason: 'compromised'; verifiedAt: number };

export type NewPasswordReason = NewPasswordStep['reason'];

export function passwordChangePending(accountId: string): Record<string, unknown> {
  return { [PASSWORD_CHANGE_PENDING]: { accountId } };
}

export function compromisedPasswordPending(accountId: string, verifiedAt: number): Record<string, unknown> {
  return { [COMPROMISED_PASSWORD_PENDING]: { accountId, verifiedAt } };
}

export function readNewPasswordStep(interaction: Interaction): NewPasswordStep | undefined {
  if (interaction.prompt.name !== 'login') return undefined;
  const result = interaction.result as Record<string, unknown> | undefined;
  const compromised = result?.[COMPROMISED_PASSWORD_PENDING] as { accountId?: unknown; verifiedAt?: unknown } | undefined;
  if (typeof compromised?.accountId === 'string' && typeof compromised.verifiedAt === 'number') {
    return { accountId: compromised.accountId, reason: 'compromised', verifiedAt: compromised.verifiedAt };
  }
  const pending = result?.[PASSWORD_CHANGE_PENDING] as { accountId?: unknown } | undefined;
  if (typeof pending?.accountId === 'string') return { accountId: pending.accountId, reason: 'must_change' };
  return undefined;
}
