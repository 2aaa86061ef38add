/**
 * POST /interaction/:uid/mfa — a TOTP code or a backup code. The account comes from the stored
 * interaction (step.ts), never from the form. Success ends the interaction with amr
 * ["pwd","otp","mfa"] and the multi-factor acr; after a backup code the person is first told
 * how many remain.
 */
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { AMR_PASSWORD_AND_OTP } from '../../mfa/acr.ts';
import { BACKUP_CODES_LOW } from '../../mfa/backup-codes.ts';
import { codeForm } from '../../mfa/code-form.ts';
import { parseBody, wantsJson } from '../../security/body.ts';
import { verifyCsrf } from '../../security/csrf.ts';
import { finish, type Interaction, loadInteraction } from '../details.ts';
import { admitSession, type MfaInteractionDeps } from './index.ts';
import { showMfaStep } from './page.ts';
import { type MfaStep, mfaStep, secondFactorLogin } from './step.ts';

export const WRONG_CODE = 'That code is not right, or it was already used. Try the next code from your app.';

/**
 * A second factor was accepted. For a sign-in (not a step-up) that is where a session begins:
 * the concurrent-session limit admits it, and the same login.success event a password-only
 * sign-in records is emitted. Both the code form and enrolment during sign-in end here.
 */
export async function completeLogin(deps: MfaInteractionDeps, interaction: Interaction, step: MfaStep): Promise<void> {
  if (step.mode === 'login') {
    await admitSession(deps, interaction, step.accountId);
    deps.audit.emit({ type: 'login.success', accountId: step.accountId, clientId: String(interaction.params.client_id), detail: { amr: AMR_PASSWORD_AND_OTP } });
  }
}

export function submitMfa(deps: MfaInteractionDeps) {
  return async (ctx: Context) => {
    const json = wantsJson(ctx);
    const form = await parseBody(ctx, codeForm);
    verifyCsrf(ctx, form.csrf);
    const provider: Provider = deps.holder.current;
    const interaction = await loadInteraction(ctx, provider);
    const step = mfaStep(interaction);
    const clientId = String(interaction.params.client_id);

    const result = await deps.mfa.verify(step.accountId, form.code, { clientId });
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
    if (result.method === 'backup_code') {
      const redirectTo = await provider.interactionResult(ctx.req, ctx.res, login, { mergeWithLastSubmission: true });
      if (json) {
        ctx.body = { redirect_to: redirectTo, backup_codes_remaining: result.backupCodesRemaining };
        return;
      }
      await deps.render(ctx, 'mfa-codes-left', { remaining: result.backupCodesRemaining, low: result.backupCodesRemaining <= BACKUP_CODES_LOW, continueUrl: redirectTo });
      return;
    }
    await finish(ctx, provider, login, json);
  };
}
