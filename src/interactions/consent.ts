/** POST /interaction/:uid/confirm and /abort — consent given, or the person said no. */
import type { Context } from 'koa';
import { abortForm, confirmForm } from './schemas.ts';
import { parseBody, wantsJson } from '../security/body.ts';
import { verifyCsrf } from '../security/csrf.ts';
import { AppError } from '../security/errors.ts';
import type { InteractionDeps } from './router.ts';
import { expectPrompt, finish, loadInteraction } from './details.ts';

export function submitConsent(deps: InteractionDeps) {
  return async (ctx: Context) => {
    const json = wantsJson(ctx);
    const form = await parseBody(ctx, confirmForm);
    verifyCsrf(ctx, form.csrf);
    const provider = deps.holder.current;
    const interaction = await loadInteraction(ctx, provider);
    expectPrompt(interaction, 'consent');
    const accountId = interaction.session?.accountId;
    if (!accountId) throw new AppError(400, 'unexpected_step', 'sign in first');

    const details = interaction.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    const grant = interaction.grantId
      ? await provider.Grant.find(interaction.grantId)
      : new provider.Grant({ accountId, clientId: String(interaction.params.client_id) });
    if (!grant) throw new AppError(400, 'interaction_expired', 'this sign-in attempt has expired; start again');
    if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
    if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    deps.audit.emit({ type: 'consent.granted', accountId, clientId: String(interaction.params.client_id), detail: { scopes: details.missingOIDCScope ?? [] } });
    await finish(ctx, provider, { consent: { grantId } }, json);
  };
}

export function abortInteraction(deps: InteractionDeps) {
  return async (ctx: Context) => {
    const json = wantsJson(ctx);
    const form = await parseBody(ctx, abortForm);
    verifyCsrf(ctx, form.csrf);
    const provider = deps.holder.current;
    const interaction = await loadInteraction(ctx, provider);
    deps.audit.emit({ type: 'interaction.aborted', accountId: interaction.session?.accountId, clientId: String(interaction.params.client_id) });
    await finish(ctx, provider, { error: 'access_denied', error_description: 'End-User aborted interaction' }, json);
  };
}
