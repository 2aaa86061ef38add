/** POST /interaction/:uid/confirm and /abort — consent given, or the person said no. */
import type { z } from 'zod';
import { AppError } from '../security/errors.ts';
import { finish } from './details.ts';
import type { abortForm, confirmForm } from './schemas.ts';
import type { Interaction, InteractionDeps, StepContext } from './types.ts';

export async function submitConsent(deps: InteractionDeps, request: StepContext<z.infer<typeof confirmForm>, { accountId: string }>): Promise<void> {
  const { ctx, json, provider, interaction, step } = request;
  const { accountId } = step;
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
}

export async function abortInteraction(deps: InteractionDeps, request: StepContext<z.infer<typeof abortForm>, Interaction>): Promise<void> {
  const { ctx, json, provider, interaction } = request;
  deps.audit.emit({ type: 'interaction.aborted', accountId: interaction.session?.accountId, clientId: String(interaction.params.client_id) });
  await finish(ctx, provider, { error: 'access_denied', error_description: 'End-User aborted interaction' }, json);
}
