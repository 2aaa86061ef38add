/**
 * POST /interaction/:uid/new-password — the person an administrator marked `must_change` chooses
 * their own password. The account comes from the stored interaction (step.ts), never from the
 * form. A refused password (policy, mismatch, the same as the admin-set one) is the page again
 * with the reason and nothing written; an accepted one is stored (required-password-change.ts)
 * and the sign-in continues exactly as after a correct password (mfa/after-password.ts).
 */
import type { z } from 'zod';
import { isPasswordPolicyError } from '../../passwords/policy-error.ts';
import { AppError } from '../../security/errors.ts';
import { continueAfterPassword } from '../mfa/after-password.ts';
import type { newPasswordForm } from '../schemas.ts';
import type { InteractionDeps, StepContext } from '../types.ts';
import { submitCompromisedReplacement } from './compromised.ts';
import { showNewPasswordStep } from './page.ts';
import type { NewPasswordStep } from './step.ts';

export async function submitNewPassword(deps: InteractionDeps, request: StepContext<z.infer<typeof newPasswordForm>, NewPasswordStep>): Promise<void> {
  const { form, interaction, step } = request;
  if (step.reason === 'compromised') {
    await submitCompromisedReplacement(deps, { ...request, step });
    return;
  }
  const account = await deps.accounts.findById(step.accountId);
  // Disabled or deleted since the password step: the sign-in is over (no session was made).
  if (account?.status !== 'active' || account.deletedAt !== undefined || account.mustChangePassword !== true) {
    throw new AppError(400, 'unexpected_step', 'this sign-in attempt cannot continue; go back to the application and start again');
  }
  if (form.new_password !== form.confirm_password) {
    await showNewPasswordStep(deps, request, 'mismatch');
    return;
  }
  // The browser's own session of this person (signing in again) stays, as on the console.
  const keep = interaction.session?.accountId === account.id ? interaction.session.uid : undefined;
  let result: Awaited<ReturnType<typeof deps.replaceRequiredPassword>>;
  try {
    result = await deps.replaceRequiredPassword(account, form.new_password, keep);
  } catch (error) {
    if (!isPasswordPolicyError(error)) throw error;
    await showNewPasswordStep(deps, request, { violations: error.violations });
    return;
  }
  if (!result.ok) {
    await showNewPasswordStep(deps, request, result.problem);
    return;
  }
  await continueAfterPassword(deps, request, { ...account, mustChangePassword: false });
}
