/**
 * Runs after a correct password (the `afterPassword` hook of interactions/login.ts). Without a
 * second factor due, the login finishes with amr ["pwd"]. With one due, nothing is committed to
 * the session yet: the interaction remembers "password verified" and the browser goes on to
 * /interaction/:uid/mfa (JSON callers get 401 mfa_required saying where to send the code), so a
 * person who must use MFA never holds a password-only session.
 */
import type { Context } from 'koa';
import { ACR_PASSWORD, AMR_PASSWORD } from '../../mfa/acr.ts';
import { clientRequiresMfa } from '../../oidc/mfa-prompt.ts';
import type { AccountRecord } from '../../storage/port.ts';
import { finish, type Interaction } from '../details.ts';
import { admitSession, type MfaInteractionDeps } from './index.ts';
import { pendingResult } from './step.ts';

export function afterPassword(deps: MfaInteractionDeps) {
  return async (ctx: Context, interaction: Interaction, account: AccountRecord, json: boolean): Promise<boolean> => {
    const provider = deps.holder.current;
    const clientId = String(interaction.params.client_id);
    const client = await provider.Client.find(clientId);
    const decision = await deps.policy.decide({
      accountId: account.id,
      clientRequiresMfa: clientRequiresMfa(client),
      params: interaction.params,
      sessionAmr: AMR_PASSWORD,
    });

    if (decision.reasons.length === 0) {
      await admitSession(deps, interaction, account.id);
      deps.audit.emit({ type: 'login.success', accountId: account.id, clientId, detail: { amr: AMR_PASSWORD } });
      await finish(ctx, provider, { login: { accountId: account.id, amr: AMR_PASSWORD, acr: ACR_PASSWORD, remember: true } }, json);
      return true;
    }
    if (decision.blocked) {
      deps.audit.emit({ type: 'login.failed', accountId: account.id, clientId, detail: { reason: 'mfa_not_set_up', mfa: decision.reasons } });
      await finish(ctx, provider, {
        error: 'unmet_authentication_requirements',
        error_description: 'multi-factor authentication is required and is not set up for this account',
      }, json);
      return true;
    }

    await provider.interactionResult(ctx.req, ctx.res, pendingResult(account.id), { mergeWithLastSubmission: false });
    const next = `/interaction/${interaction.uid}/mfa`;
    if (json) {
      ctx.status = 401;
      ctx.body = {
        error: 'mfa_required',
        error_description: decision.enrolled
          ? 'a second factor is required: POST {"code"} to mfa.url (a 6-digit TOTP code or a backup code)'
          : 'a second factor is required and must be set up first: GET mfa.url for the secret, then POST {"code"} to mfa.enrol_url',
        mfa: {
          url: next,
          enrol_url: `${next}/enrol`,
          enrolment_required: !decision.enrolled,
          reasons: decision.reasons,
        },
      };
      return true;
    }
    ctx.status = 303;
    ctx.redirect(next);
    return true;
  };
}
