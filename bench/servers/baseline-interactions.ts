/**
 * The baseline's sign-in pages, as small as a working login can be: a form that takes any
 * username (no password check, no CSRF, no templates) and a consent form that grants what the
 * request asks for. Same URLs, field names and 303 answers as Portcullis, so one client drives both.
 */
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';

const ROUTE = /^\/interaction\/([A-Za-z0-9_-]+)(\/login|\/confirm)?$/;

function page(uid: string, step: 'login' | 'confirm'): string {
  const fields = step === 'login' ? '<input name="username"><input name="password" type="password">' : '';
  return `<!doctype html><form method="post" action="/interaction/${uid}/${step}"><input type="hidden" name="csrf" value="none">${fields}<button>go</button></form>`;
}

async function readForm(ctx: KoaContextWithOIDC): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of ctx.req) body += chunk;
  return new URLSearchParams(body);
}

export function baselineInteractions(provider: Provider) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    const match = ROUTE.exec(ctx.path);
    if (!match) return next();
    const [, uid, action] = match;
    const interaction = await provider.interactionDetails(ctx.req, ctx.res);
    ctx.set('Cache-Control', 'no-store');
    if (ctx.method === 'GET' && !action) {
      ctx.type = 'html';
      ctx.body = page(uid as string, interaction.prompt.name === 'login' ? 'login' : 'confirm');
      return;
    }
    if (ctx.method !== 'POST') return next();
    const form = await readForm(ctx);
    let result: Parameters<Provider['interactionResult']>[2];
    if (action === '/login' && interaction.prompt.name === 'login') {
      result = { login: { accountId: form.get('username') ?? 'alice', amr: ['pwd'] } };
    } else if (action === '/confirm' && interaction.prompt.name === 'consent') {
      const details = interaction.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      const grant = interaction.grantId
        ? await provider.Grant.find(interaction.grantId)
        : new provider.Grant({ accountId: interaction.session?.accountId as string, clientId: String(interaction.params.client_id) });
      if (!grant) throw new Error('grant expired');
      if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
      if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
      result = { consent: { grantId: await grant.save() } };
    } else {
      ctx.status = 400;
      ctx.body = 'unexpected step';
      return;
    }
    const redirectTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: true });
    ctx.status = 303;
    ctx.redirect(redirectTo);
  };
}
