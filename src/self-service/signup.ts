/**
 * GET and POST /signup (REGISTRATION=open). The answer is always "check your mail" once the
 * password passes the policy; whether the address is new, taken or over its budget is never told.
 */
import type { Context } from 'koa';
import type { Registration } from '../passwords/registration.ts';
import { parseBody, wantsJson } from '../security/body.ts';
import { csrfToken, verifyCsrf } from '../security/csrf.ts';
import { clientIp, type SelfServicePageDeps } from './deps.ts';
import { signupForm } from './schemas.ts';
import { answerRefusedPassword } from './violations.ts';

export function showSignup(deps: SelfServicePageDeps) {
  return async (ctx: Context) => {
    if (wantsJson(ctx)) {
      ctx.body = { csrf: csrfToken(ctx) };
      return;
    }
    await deps.render(ctx, 'signup', { csrf: csrfToken(ctx), minLength: deps.minLength });
  };
}

export function submitSignup(deps: SelfServicePageDeps, registration: Registration) {
  return async (ctx: Context) => {
    const json = wantsJson(ctx);
    const form = await parseBody(ctx, signupForm);
    verifyCsrf(ctx, form.csrf);
    const again = (status: number, locals: Record<string, unknown>) =>
      deps.render(ctx, 'signup', { csrf: csrfToken(ctx), minLength: deps.minLength, email: form.email, name: form.name, ...locals }, status);
    if (form.password !== form.confirm_password) {
      if (json) {
        ctx.status = 400;
        ctx.body = { error: 'password_mismatch', error_description: 'The two passwords are not the same.' };
        return;
      }
      await again(400, { error: 'The two passwords are not the same.' });
      return;
    }
    try {
      await registration.signUp({ email: form.email, name: form.name, password: form.password }, clientIp(ctx.state));
    } catch (error) {
      if (await answerRefusedPassword(ctx, json, error, again)) return;
      throw error;
    }
    const message = 'We sent a link to your address. Open it within 24 hours to confirm the address and create your account.';
    if (json) {
      ctx.body = { status: 'check_your_mail', message };
      return;
    }
    await deps.render(ctx, 'done', { title: 'Check your mail', message });
  };
}
