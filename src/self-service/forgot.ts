/**
 * GET and POST /password/forgot. The answer is the same page and status whether or not the
 * person exists, and it goes out before any lookup or mail: the domain only counts the caller's
 * address (429 past its budget, the same for every identifier) and works on in the background.
 */
import type { Context } from 'koa';
import type { PasswordReset } from '../passwords/reset.ts';
import { parseBody, wantsJson } from '../security/body.ts';
import { csrfToken, verifyCsrf } from '../security/csrf.ts';
import { clientIp, type SelfServicePageDeps } from './deps.ts';
import { forgotForm } from './schemas.ts';

export function showForgot(deps: SelfServicePageDeps) {
  return async (ctx: Context) => {
    if (wantsJson(ctx)) {
      ctx.body = { csrf: csrfToken(ctx) };
      return;
    }
    await deps.render(ctx, 'forgot-password', { csrf: csrfToken(ctx) });
  };
}

export function submitForgot(deps: SelfServicePageDeps, reset: PasswordReset) {
  return async (ctx: Context) => {
    const json = wantsJson(ctx);
    const form = await parseBody(ctx, forgotForm);
    verifyCsrf(ctx, form.csrf);
    await reset.request(form.identifier, clientIp(ctx.state));
    const minutes = Math.round(deps.resetTtl / 60);
    const message = `If this belongs to an account with a confirmed email address, a link to choose a new password is on its way there. It works once, for ${minutes} minutes.`;
    if (json) {
      ctx.body = { status: 'check_your_mail', message };
      return;
    }
    await deps.render(ctx, 'done', { title: 'Check your mail', message });
  };
}
