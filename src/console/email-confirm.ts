/**
 * GET and POST /account/email/confirm/:token — the link mailed to a new address. It needs no
 * console session (the mail may be read on another device): the link's 256-bit secret is the
 * proof. Mail scanners and link previews fetch GETs, so the GET shows a button and changes
 * nothing; the POST (CSRF-bound to the link, security/csrf-binding.ts) uses the link once.
 */
import type { Context } from 'koa';
import { emailLinkInvalid } from '../passwords/email-change.ts';
import { LINK_TOKEN_SHAPE } from '../passwords/link-tokens.ts';
import { parseBody, wantsJson } from '../security/body.ts';
import { csrfToken, verifyCsrf } from '../security/csrf.ts';
import type { ConsoleDeps } from './deps.ts';
import { csrfOnlyForm } from './schemas.ts';

const tokenOf = (ctx: Context): string => {
  const token: unknown = ctx.params.token;
  if (typeof token !== 'string' || !LINK_TOKEN_SHAPE.test(token)) throw emailLinkInvalid();
  return token;
};

export function showEmailConfirm(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    const token = tokenOf(ctx);
    const state = await deps.emailChange.inspect(token);
    if (!state.ok) throw emailLinkInvalid();
    if (wantsJson(ctx)) {
      ctx.body = { email: state.email, csrf_token: csrfToken(ctx) };
      return;
    }
    await deps.render(ctx, 'email-change-confirm', { csrf: csrfToken(ctx), token, email: state.email, username: state.username });
  };
}

export function submitEmailConfirm(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    const token = tokenOf(ctx);
    const form = await parseBody(ctx, csrfOnlyForm);
    verifyCsrf(ctx, form.csrf);
    const email = await deps.emailChange.confirm(token);
    if (wantsJson(ctx)) {
      ctx.body = { email, email_verified: true };
      return;
    }
    await deps.render(ctx, 'done', {
      title: 'Email address changed',
      message: `Your account now uses ${email}. Mail about your account goes there from now on.`,
      href: '/account/profile',
      label: 'Your profile',
    });
  };
}
