/** GET /interaction/:uid — the page (or JSON) for whatever step the interaction is at. */
import type { Context } from 'koa';
import { wantsJson } from '../security/body.ts';
import { csrfToken } from '../security/csrf.ts';
import type { InteractionDeps } from './router.ts';
import { loadInteraction } from './details.ts';

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

export function showInteraction(deps: InteractionDeps) {
  return async (ctx: Context) => {
    const provider = deps.holder.current;
    const interaction = await loadInteraction(ctx, provider);
    const client = await provider.Client.find(String(interaction.params.client_id));
    const clientName = client?.clientName ?? String(interaction.params.client_id);
    const csrf = csrfToken(ctx);
    const { prompt } = interaction;
    const details = prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };

    if (wantsJson(ctx)) {
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
      await deps.render(ctx, 'login', { uid: interaction.uid, clientName, csrf, username: interaction.params.login_hint ?? '' });
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
    const custom = deps.extraPrompts?.get(prompt.name);
    if (custom) {
      await custom(ctx, interaction);
      return;
    }
    ctx.status = 400;
    await deps.render(ctx, 'error', { title: 'Unsupported step', message: 'this sign-in step is not supported', code: 'unsupported_prompt' }, 400);
  };
}
