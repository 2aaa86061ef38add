/**
 * The new-password step, read from the stored interaction only: this interaction's password step
 * succeeded for a person an administrator marked `must_change`, and left `password_change_pending`
 * in its result (as mfa/step.ts does with `mfa_pending`). Nothing is committed to a session until
 * the new password is stored, so the admin-set password never opens a session or reaches the
 * second factor. The prompt is still `login`: a password typed again on /login starts over.
 */
import type { Interaction } from '../types.ts';

/** Key in the interaction result that holds "admin-set password verified, a new one is due". */
export const PASSWORD_CHANGE_PENDING = 'password_change_pending';

export interface NewPasswordStep {
  accountId: string;
}

export function passwordChangePending(accountId: string): Record<string, unknown> {
  return { [PASSWORD_CHANGE_PENDING]: { accountId } };
}

export function readNewPasswordStep(interaction: Interaction): NewPasswordStep | undefined {
  const pending = (interaction.result as Record<string, unknown> | undefined)?.[PASSWORD_CHANGE_PENDING] as { accountId?: unknown } | undefined;
  if (interaction.prompt.name === 'login' && typeof pending?.accountId === 'string') return { accountId: pending.accountId };
  return undefined;
}
