/**
 * What follows a correct password (called by login.ts). Without a second factor due, the sign-in
 * ends here (finish-sign-in.ts, amr ["pwd"]). With one due, nothing is committed to the session
 * yet: the interaction remembers "password verified" and the browser goes on to
 * /interaction/:uid/mfa (JSON callers get 401 mfa_required saying where to send the code), so a
 * person who must use MFA never holds a password-only session.
 *
 * A breached password (`verdict`, login.ts) changes the way only after the last factor
 * (breach/after-factors.ts): a person with an authenticator is asked for it even where no second
 * factor is due, so they can replace the password inside the sign-in; a person without one has
 * only the password as a factor, so it is acted on now (refused, reset link) — never through
 * enrolment, which would let whoever holds the password add an authenticator of their own.
 */
import { AMR_PASSWORD } from '../../mfa/acr.ts';
import { clientRequiresMfa } from '../../oidc/mfa-prompt.ts';
import type { SignInVerdict } from '../../passwords/sign-in-check.ts';
import type { AccountRecord } from '../../storage/port.ts';
import { actOnVerdict } from '../breach/after-factors.ts';
import { finish } from '../details.ts';
import { finishSignIn } from '../finish-sign-in.ts';
import type { InteractionDeps, StepContext } from '../types.ts';
import { mfaRequired } from './required-json.ts';
import { pendingResult } from './step.ts';

export async function continueAfterPassword(
  deps: InteractionDeps,
  request: Pick<StepContext<unknown, unknown>, 'ctx' | 'json' | 'provider' | 'interaction'>,
  account: AccountRecord,
  verdict?: SignInVerdict,
): Promise<void> {
  const { ctx, json, provider, interaction } = request;
  const clientId = String(interaction.params.client_id);
  const client = await provider.Client.find(clientId);
  const decision = await deps.policy.decide({
    accountId: account.id,
    clientRequiresMfa: clientRequiresMfa(client),
    params: interaction.params,
    sessionAmr: AMR_PASSWORD,
  });

  const breached = verdict?.breached === true;
  if (breached && !decision.enrolled) {
    await actOnVerdict(deps, request, account.id, verdict, undefined);
    return;
  }
  if (decision.reasons.length === 0 && !breached) {
    if (await actOnVerdict(deps, request, account.id, verdict, undefined)) return;
    await finish(ctx, provider, await finishSignIn(deps, interaction, { accountId: account.id, factors: 'password' }), json);
    return;
  }
  if (decision.blocked) {
    deps.audit.emit({ type: 'login.failed', accountId: account.id, clientId, detail: { reason: 'mfa_not_set_up', mfa: decision.reasons } });
    await finish(
      ctx,
      provider,
      {
        error: 'unmet_authentication_requirements',
        error_description: 'multi-factor authentication is required and is not set up for this account',
      },
      json,
    );
    return;
  }

  await provider.interactionResult(ctx.req, ctx.res, pendingResult(account.id, verdict), { mergeWithLastSubmission: false });
  const next = `/interaction/${interaction.uid}/mfa`;
  if (json) {
    ctx.status = 401;
    ctx.body = await mfaRequired(deps, account.id, next, decision);
    return;
  }
  ctx.status = 303;
  ctx.redirect(next);
}
