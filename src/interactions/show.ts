/** GET /interaction/:uid — the page (or JSON) for whatever step the interaction is at. */
import { ACR_PHR, requestedAcrValues } from '../mfa/acr.ts';
import { MFA_PROMPT } from '../oidc/mfa-prompt.ts';
import { csrfToken } from '../security/csrf.ts';
import { AppError } from '../security/errors.ts';
import { showMfaStep } from './mfa/page.ts';
import { readMfaStep } from './mfa/step.ts';
import { UNEXPECTED_STEP } from './pipeline.ts';
import type { Interaction, InteractionDeps, StepContext } from './types.ts';

export function describeScopes(scopes: string[]): string[] {
  const labels: Record<string, string> = {
    openid: 'know who you are',
    profile: 'see your name and username',
    email: 'see your email address',
    roles: 'see your roles',
    offline_access: 'stay signed in when you are away',
  };
  return scopes.map((scope) => labels[scope] ?? `use the "${scope}" permission`);
}

export async function showInteraction(deps: InteractionDeps, request: StepContext<undefined, Interaction>): Promise<void> {
  const { ctx, json, provider, interaction } = request;
  const client = await provider.Client.find(String(interaction.params.client_id));
  const clientName = client?.clientName ?? String(interaction.params.client_id);
  const csrf = csrfToken(ctx);
  const { prompt } = interaction;
  const details = prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };

  if (json) {
    ctx.body = {
      uid: interaction.uid,
      prompt: { name: prompt.name, reasons: prompt.reasons },
      client: { client_id: interaction.params.client_id, client_name: clientName },
      scopes: details.missingOIDCScope ?? [],
      resources: Object.keys(details.missingResourceScopes ?? {}),
      csrf_token: csrf,
    };
    return;
  }
  if (prompt.name === 'login') {
    // A client asking for acr `phr` gets the passkey, not the password form (views/login.ejs).
    const passkeyOnly = requestedAcrValues(interaction.params).includes(ACR_PHR);
    await deps.render(ctx, 'login', { uid: interaction.uid, clientName, csrf, username: interaction.params.login_hint ?? '', passkeyOnly });
    return;
  }
  if (prompt.name === 'consent') {
    const account = interaction.session ? await deps.accounts.findById(interaction.session.accountId) : undefined;
    await deps.render(ctx, 'consent', {
      uid: interaction.uid,
      clientName,
      csrf,
      scopes: describeScopes(details.missingOIDCScope ?? []),
      resources: Object.keys(details.missingResourceScopes ?? {}),
      accountName: account?.name ?? account?.username,
    });
    return;
  }
  if (prompt.name === MFA_PROMPT) {
    const step = readMfaStep(interaction);
    if (!step) throw new AppError(400, 'unexpected_step', UNEXPECTED_STEP);
    await showMfaStep(ctx, deps, interaction, step);
    return;
  }
  ctx.status = 400;
  await deps.render(ctx, 'error', { title: 'Unsupported step', message: 'this sign-in step is not supported', code: 'unsupported_prompt' }, 400);
}
