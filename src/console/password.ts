/** GET and POST /account/password — the signed-in person changes their password (form or JSON). */
import type { Context } from 'koa';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../accounts/policy.ts';
import { parseBody, wantsJson } from '../security/body.ts';
import { csrfToken, verifyCsrf } from '../security/csrf.ts';
import { asAppError } from '../security/errors.ts';
import type { PasswordChangeResult } from '../sessions/password-change.ts';
import type { ConsoleDeps } from './deps.ts';
import { passwordForm } from './schemas.ts';
import { signedIn } from './signed-in.ts';
import { requireRecentSignIn } from './step-up.ts';

const PROBLEMS: Record<string, string> = {
  mismatch: 'The two new passwords are not the same.',
  wrong_password: 'Your current password is not right.',
  too_short: `Use at least ${PASSWORD_MIN_LENGTH} characters.`,
  too_long: `Use at most ${PASSWORD_MAX_LENGTH} characters.`,
  contains_username: 'Do not use your username in your password.',
  repetitive: 'Use more than one or two different characters.',
};

export function showPasswordForm(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    if (wantsJson(ctx)) {
      // The rules as JSON (reading them needs a session, not a recent sign-in).
      await signedIn(ctx, deps);
      ctx.body = { rules: { min_length: PASSWORD_MIN_LENGTH, max_length: PASSWORD_MAX_LENGTH }, csrf_token: csrfToken(ctx) };
      return;
    }
    // The form asks for a recent sign-in before it is filled in, not only when it is sent.
    const me = await requireRecentSignIn(ctx, deps);
    await deps.render(ctx, 'password', { csrf: csrfToken(ctx), accountName: me.account.name ?? me.account.username, username: me.account.username });
  };
}

export function submitPasswordChange(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    const json = wantsJson(ctx);
    const form = await parseBody(ctx, passwordForm);
    verifyCsrf(ctx, form.csrf);
    const me = await requireRecentSignIn(ctx, deps, '/account/password');
    const accountName = me.account.name ?? me.account.username;
    let result: PasswordChangeResult | { ok: false; problem: 'mismatch' };
    try {
      result =
        form.new_password === form.confirm_password
          ? await deps.changePassword(me.account, form.current_password, form.new_password, me.sessionUid, String(ctx.state.clientIp))
          : { ok: false, problem: 'mismatch' };
    } catch (error) {
      // Throttled browsers get the form again (429, Retry-After), with the wait in words.
      const refused = asAppError(error);
      if (json || refused?.status !== 429) throw error;
      ctx.set(refused.headers);
      await deps.render(ctx, 'password', { csrf: csrfToken(ctx), accountName, username: me.account.username, error: refused.message }, 429);
      return;
    }
    if (!result.ok) {
      const message = PROBLEMS[result.problem] ?? 'That password cannot be used.';
      if (json) {
        ctx.status = 400;
        ctx.body = { error: result.problem, error_description: message };
        return;
      }
      await deps.render(ctx, 'password', { csrf: csrfToken(ctx), accountName, username: me.account.username, error: message }, 400);
      return;
    }
    if (json) {
      ctx.body = { sessions_ended: result.sessionsEnded };
      return;
    }
    const others = result.sessionsEnded === 1 ? '1 other session was' : `${result.sessionsEnded} other sessions were`;
    await deps.render(ctx, 'message', { title: 'Password changed', message: `Your password is changed, and ${others} signed out.` });
  };
}
