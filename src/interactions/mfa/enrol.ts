/**
 * POST /interaction/:uid/mfa/enrol — the first code from a newly set-up authenticator. A correct
 * code confirms the authenticator (that code's time step is consumed like any other), creates 10
 * backup codes shown on this one page only, and completes the sign-in with the second factor.
 */
import type { Context } from 'koa';
import { codeForm } from '../../mfa/code-form.ts';
import { parseBody, wantsJson } from '../../security/body.ts';
import { verifyCsrf } from '../../security/csrf.ts';
import { loadInteraction } from '../details.ts';
import type { MfaInteractionDeps } from './index.ts';
import { showMfaStep } from './page.ts';
import { mfaStep, secondFactorLogin } from './step.ts';
import { completeLogin, WRONG_CODE } from './verify.ts';

export function submitEnrolment(deps: MfaInteractionDeps) {
  return async (ctx: Context) => {
    const json = wantsJson(ctx);
    const form = await parseBody(ctx, codeForm);
    verifyCsrf(ctx, form.csrf);
    const provider = deps.holder.current;
    const interaction = await loadInteraction(ctx, provider);
    const step = mfaStep(interaction);

    const result = await deps.mfa.completeEnrolment(step.accountId, form.code, { kind: 'interaction', id: interaction.uid }, {
      clientId: String(interaction.params.client_id),
    });
    if (!result.ok) {
      if (json) {
        ctx.status = 401;
        ctx.body = { error: 'invalid_code', error_description: WRONG_CODE };
        return;
      }
      await showMfaStep(ctx, deps, interaction, step, { error: WRONG_CODE, status: 401 });
      return;
    }
    await completeLogin(deps, interaction, step);
    const login = secondFactorLogin(step.accountId, deps.now());
    const redirectTo = await provider.interactionResult(ctx.req, ctx.res, login, { mergeWithLastSubmission: true });
    if (json) {
      ctx.body = { backup_codes: result.backupCodes, redirect_to: redirectTo };
      return;
    }
    await deps.render(ctx, 'mfa-backup-codes', { codes: result.backupCodes, continueUrl: redirectTo, continueLabel: 'Continue' });
  };
}
