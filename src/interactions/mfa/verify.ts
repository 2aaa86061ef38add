/**
 * POST /interaction/:uid/mfa — a TOTP code or a backup code. The account comes from the stored
 * interaction (step.ts), never from the form. Success ends the interaction with amr
 * ["pwd","otp","mfa"] and the multi-factor acr (finish-sign-in.ts); after a backup code the
 * person is first told how many remain.
 */
import type { z } from 'zod';
import { BACKUP_CODES_LOW } from '../../mfa/backup-codes.ts';
import type { codeForm } from '../../security/code-form.ts';
import { actOnVerdict } from '../breach/after-factors.ts';
import { finish } from '../details.ts';
import { finishSignIn } from '../finish-sign-in.ts';
import type { InteractionDeps, StepContext } from '../types.ts';
import { answerWrongCode } from './page.ts';
import type { MfaStep } from './step.ts';

export async function submitMfa(deps: InteractionDeps, request: StepContext<z.infer<typeof codeForm>, MfaStep>): Promise<void> {
  const { ctx, json, form, provider, interaction, step } = request;
  const result = await deps.mfa.verify(step.accountId, form.code, { clientId: String(interaction.params.client_id) });
  if (!result.ok) {
    await answerWrongCode(ctx, deps, interaction, step, json);
    return;
  }
  // Every factor is verified: a breached password is replaced now, before the client is reached.
  if (step.mode === 'login' && (await actOnVerdict(deps, request, step.accountId, step.verdict, { verifiedAt: deps.now() }))) return;

  const login = await finishSignIn(deps, interaction, { accountId: step.accountId, factors: 'second_factor', mode: step.mode });
  if (result.method === 'backup_code') {
    const redirectTo = await provider.interactionResult(ctx.req, ctx.res, login, { mergeWithLastSubmission: true });
    if (json) {
      ctx.body = { redirect_to: redirectTo, backup_codes_remaining: result.backupCodesRemaining };
      return;
    }
    await deps.render(ctx, 'mfa-codes-left', {
      remaining: result.backupCodesRemaining,
      low: result.backupCodesRemaining <= BACKUP_CODES_LOW,
      continueUrl: redirectTo,
    });
    return;
  }
  await finish(ctx, provider, login, json);
}
