/**
 * POST /interaction/:uid/mfa/enrol — the first code from a newly set-up authenticator. A correct
 * code confirms the authenticator (that code's time step is consumed like any other), creates 10
 * backup codes shown on this one page only, and completes the sign-in with the second factor.
 */
import type { z } from 'zod';
import type { codeForm } from '../../security/code-form.ts';
import { AppError } from '../../security/errors.ts';
import { actOnVerdict } from '../breach/after-factors.ts';
import { finishSignIn } from '../finish-sign-in.ts';
import type { InteractionDeps, StepContext } from '../types.ts';
import { answerWrongCode } from './page.ts';
import type { MfaStep } from './step.ts';

export async function submitEnrolment(deps: InteractionDeps, request: StepContext<z.infer<typeof codeForm>, MfaStep>): Promise<void> {
  const { ctx, json, form, provider, interaction, step } = request;
  // A breached password never leads into enrolment (mfa/after-password.ts refuses it first).
  if (step.verdict?.breached) throw new AppError(400, 'unexpected_step', 'this sign-in attempt cannot continue; go back to the application and start again');
  const result = await deps.mfa.completeEnrolment(
    step.accountId,
    form.code,
    { kind: 'interaction', id: interaction.uid },
    {
      clientId: String(interaction.params.client_id),
    },
  );
  if (!result.ok) {
    await answerWrongCode(ctx, deps, interaction, step, json);
    return;
  }
  // A clean verdict is recorded now that the sign-in is complete (a breached one cannot reach here).
  if (step.mode === 'login') await actOnVerdict(deps, request, step.accountId, step.verdict, undefined);
  const login = await finishSignIn(deps, interaction, { accountId: step.accountId, factors: 'second_factor', mode: step.mode });
  const redirectTo = await provider.interactionResult(ctx.req, ctx.res, login, { mergeWithLastSubmission: true });
  if (json) {
    ctx.body = { backup_codes: result.backupCodes, redirect_to: redirectTo };
    return;
  }
  await deps.render(ctx, 'mfa-backup-codes', { codes: result.backupCodes, continueUrl: redirectTo, continueLabel: 'Continue' });
}
