/**
 * GET and POST /account/password — the signed-in person changes their password (form or JSON).
 * A new password the policy refuses is the form again listing every failed rule in words, or in
 * JSON `400 {"error":"password_policy","error_description","violations":[…]}` (the error handler's
 * shape; before issue 14 this answered one code such as `too_short`). `wrong_password` and
 * `mismatch` keep their single code.
 */
import type { Context } from 'koa';
import { describeRules, describeViolations } from '../passwords/describe.ts';
import { isPasswordPolicyError } from '../passwords/policy-error.ts';
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
};

/** What the page shows besides the form's own fields: who, and the policy's rules (before anything is typed). */
function pageLocals(ctx: Context, deps: ConsoleDeps, account: { name?: string | undefined; username: string }) {
  const rules = deps.passwordRules;
  return {
    csrf: csrfToken(ctx),
    accountName: account.name ?? account.username,
    username: account.username,
    passwordRules: describeRules(rules),
    minLength: rules.minLength,
    maxLength: rules.maxLength,
  };
}

export function showPasswordForm(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    if (wantsJson(ctx)) {
      // The rules as JSON (reading them needs a session, not a recent sign-in).
      await signedIn(ctx, deps);
      const rules = deps.passwordRules;
      ctx.body = { rules: { min_length: rules.minLength, max_length: rules.maxLength }, csrf_token: csrfToken(ctx) };
      return;
    }
    // The form asks for a recent sign-in before it is filled in, not only when it is sent.
    const me = await requireRecentSignIn(ctx, deps);
    await deps.render(ctx, 'password', pageLocals(ctx, deps, me.account));
  };
}

export function submitPasswordChange(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    const json = wantsJson(ctx);
    const form = await parseBody(ctx, passwordForm);
    verifyCsrf(ctx, form.csrf);
    const me = await requireRecentSignIn(ctx, deps, '/account/password');
    let result: PasswordChangeResult | { ok: false; problem: 'mismatch' };
    try {
      result =
        form.new_password === form.confirm_password
          ? await deps.changePassword(me.account, form.current_password, form.new_password, me.sessionUid, String(ctx.state.clientIp))
          : { ok: false, problem: 'mismatch' };
    } catch (error) {
      // JSON callers get the error handler's answer (400 password_policy with `violations`, 429 …).
      if (json) throw error;
      // A refused new password: the form again with every rule it failed, in words.
      if (isPasswordPolicyError(error)) {
        await deps.render(ctx, 'password', { ...pageLocals(ctx, deps, me.account), error: describeViolations(error.violations) }, 400);
        return;
      }
      // Throttled browsers get the form again (429, Retry-After), with the wait in words.
      const refused = asAppError(error);
      if (refused?.status !== 429) throw error;
      ctx.set(refused.headers);
      await deps.render(ctx, 'password', { ...pageLocals(ctx, deps, me.account), error: refused.message }, 429);
      return;
    }
    if (!result.ok) {
      const message = PROBLEMS[result.problem] ?? 'That password cannot be used.';
      if (json) {
        ctx.status = 400;
        ctx.body = { error: result.problem, error_description: message };
        return;
      }
      await deps.render(ctx, 'password', { ...pageLocals(ctx, deps, me.account), error: message }, 400);
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
