/**
 * POST /interaction/:uid/new-password when the password was found in a breach and the second
 * factor was verified in this interaction (step.ts `compromised`). The account comes from the
 * stored interaction, never from the form. A refused password (every rule of the policy, the
 * same password again, a mismatch) is the page again with the reasons and nothing written; an
 * accepted one is stored (sessions/compromised-password-change.ts) and the sign-in ends with the
 * second factor already verified (auth_time: when it was).
 */
import type { z } from 'zod';
import { AppError } from '../../security/errors.ts';
import { finish } from '../details.ts';
import { finishSignIn } from '../finish-sign-in.ts';
import type { newPasswordForm } from '../schemas.ts';
import type { InteractionDeps, StepContext } from '../types.ts';
import { showNewPasswordStep } from './page.ts';
import type { NewPasswordStep } from './step.ts';

type CompromisedStep = Extract<NewPasswordStep, { reason: 'compromised' }>;

export async function submitCompromisedReplacement(
  deps: InteractionDeps,
  request: StepContext<z.infer<typeof newPasswordForm>, CompromisedStep>,
): Promise<void> {
  const { ctx, json, form, provider, interaction, step } = request;
  const account = await deps.accounts.findById(step.accountId);
  // Disabled, deleted or already reset (by the mailed link) since the second factor: start again.
  if (account?.status !== 'active' || account.deletedAt !== undefined || account.passwordCompromisedAt === undefined) {
    throw new AppError(400, 'unexpected_step', 'this sign-in attempt cannot continue; go back to the application and start again');
  }
  if (form.new_password !== form.confirm_password) {
    await showNewPasswordStep(deps, request, 'mismatch');
    return;
  }
  const keep = interaction.session?.accountId === account.id ? interaction.session.uid : undefined;
  const result = await deps.replaceCompromisedPassword(account, form.new_password, keep);
  if (!result.ok) {
    await showNewPasswordStep(deps, request, result.violations);
    return;
  }
  const login = await finishSignIn(deps, interaction, { accountId: account.id, factors: 'second_factor', mode: 'login', verifiedAt: step.verifiedAt });
  await finish(ctx, provider, login, json);
}
