/**
 * GET and POST /email/verify/:token. Mail scanners and link previews fetch GETs, so the GET
 * shows a button and changes nothing; the POST uses the link and creates the account.
 */
import type { Context } from 'koa';
import type { Registration } from '../passwords/registration.ts';
import { linkInvalid } from '../passwords/self-service-deps.ts';
import { parseBody, wantsJson } from '../security/body.ts';
import { csrfToken, verifyCsrf } from '../security/csrf.ts';
import type { SelfServicePageDeps } from './deps.ts';
import { linkToken, verifyForm } from './schemas.ts';

const tokenOf = (ctx: Context): string => {
  const parsed = linkToken.safeParse(ctx.params.token);
  if (!parsed.success) throw linkInvalid();
  return parsed.data;
};

export function showVerify(deps: SelfServicePageDeps, registration: Registration) {
  return async (ctx: Context) => {
    const token = tokenOf(ctx);
    const state = await registration.inspect(token);
    if (!state.ok) throw linkInvalid();
    if (wantsJson(ctx)) {
      ctx.body = { csrf: csrfToken(ctx), email: state.email };
      return;
    }
    await deps.render(ctx, 'verify-email', { csrf: csrfToken(ctx), token, email: state.email });
  };
}

export function submitVerify(deps: SelfServicePageDeps, registration: Registration) {
  return async (ctx: Context) => {
    const json = wantsJson(ctx);
    const token = tokenOf(ctx);
    const form = await parseBody(ctx, verifyForm);
    verifyCsrf(ctx, form.csrf);
    await registration.verify(token);
    const message = 'Your address is confirmed and your account is ready.';
    if (json) {
      ctx.status = 201;
      ctx.body = { status: 'account_created', message };
      return;
    }
    await deps.render(ctx, 'done', { title: 'Account created', message, href: '/account', label: 'Sign in' }, 201);
  };
}
