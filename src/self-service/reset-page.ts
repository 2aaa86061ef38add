/**
 * GET and POST /password/reset/:token. The GET only looks (mail scanners and previews open
 * links); the POST sets the password through the policy and signs nobody in. A refused password
 * shows every rule it failed and leaves the link working.
 */
import type { Context } from 'koa';
import type { PasswordReset } from '../passwords/reset.ts';
import { linkInvalid } from '../passwords/self-service-deps.ts';
import { parseBody, wantsJson } from '../security/body.ts';
import { csrfToken, verifyCsrf } from '../security/csrf.ts';
import type { SelfServicePageDeps } from './deps.ts';
import { linkToken, resetForm } from './schemas.ts';
import { answerRefusedPassword } from './violations.ts';

const tokenOf = (ctx: Context): string => {
  const parsed = linkToken.safeParse(ctx.params.token);
  if (!parsed.success) throw linkInvalid();
  return parsed.data;
};

async function linkedUsername(reset: PasswordReset, token: string): Promise<string> {
  const state = await reset.inspect(token);
  if (!state.ok) throw linkInvalid();
  return state.username;
}

export function showReset(deps: SelfServicePageDeps, reset: PasswordReset) {
  return async (ctx: Context) => {
    const token = tokenOf(ctx);
    const username = await linkedUsername(reset, token);
    if (wantsJson(ctx)) {
      ctx.body = { csrf: csrfToken(ctx), username };
      return;
    }
    await deps.render(ctx, 'reset-password', { csrf: csrfToken(ctx), token, username, minLength: deps.minLength });
  };
}

export function submitReset(deps: SelfServicePageDeps, reset: PasswordReset) {
  return async (ctx: Context) => {
    const json = wantsJson(ctx);
    const token = tokenOf(ctx);
    const form = await parseBody(ctx, resetForm);
    verifyCsrf(ctx, form.csrf);
    const again = async (status: number, locals: Record<string, unknown>) =>
      deps.render(
        ctx,
        'reset-password',
        { csrf: csrfToken(ctx), token, username: await linkedUsername(reset, token), minLength: deps.minLength, ...locals },
        status,
      );
    if (form.new_password !== form.confirm_password) {
      if (json) {
        ctx.status = 400;
        ctx.body = { error: 'password_mismatch', error_description: 'The two new passwords are not the same.' };
        return;
      }
      await again(400, { error: 'The two new passwords are not the same.' });
      return;
    }
    try {
      await reset.complete(token, form.new_password);
    } catch (error) {
      if (await answerRefusedPassword(ctx, json, error, again)) return;
      throw error;
    }
    const message = 'Your password is changed and every session of your account was signed out. Sign in with the new password.';
    if (json) {
      ctx.body = { status: 'password_changed', message };
      return;
    }
    await deps.render(ctx, 'done', { title: 'Password changed', message, href: '/account', label: 'Sign in' });
  };
}
