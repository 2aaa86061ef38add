/**
 * /account/profile — the name (changed at once) and the email address (changed only through the
 * link mailed to the new address, passwords/email-change.ts); the page, or the same as JSON.
 * Asking for a new address is a sensitive change (step-up.ts); the name is not.
 */
import type { Context } from 'koa';
import { cleanEmail, cleanName, EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, ProfileInputError } from '../accounts/profile.ts';
import { parseBody, wantsJson } from '../security/body.ts';
import { csrfToken, verifyCsrf } from '../security/csrf.ts';
import { AppError } from '../security/errors.ts';
import type { AccountRecord } from '../storage/port.ts';
import type { ConsoleDeps } from './deps.ts';
import { emailForm, nameForm } from './schemas.ts';
import { signedIn } from './signed-in.ts';
import { requireRecentSignIn } from './step-up.ts';

const NOTICES: Record<string, string> = {
  name: 'Your name is saved.',
  email_sent: 'We sent a link to the new address. Open it and confirm to start using that address.',
};

async function profileData(deps: ConsoleDeps, account: AccountRecord) {
  return { pending: await deps.emailChange.pending(account.id) };
}

async function page(ctx: Context, deps: ConsoleDeps, account: AccountRecord, extras: { notice?: string | undefined; error?: string; status?: number } = {}) {
  const { pending } = await profileData(deps, account);
  await deps.render(
    ctx,
    'account-profile',
    {
      csrf: csrfToken(ctx),
      username: account.username,
      name: account.name ?? '',
      email: account.email ?? '',
      emailVerified: account.emailVerified === true,
      pending: pending ?? '',
      nameMax: NAME_MAX_LENGTH,
      emailMax: EMAIL_MAX_LENGTH,
      notice: extras.notice,
      error: extras.error,
    },
    extras.status,
  );
}

export function showProfile(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    const { account } = await signedIn(ctx, deps);
    if (wantsJson(ctx)) {
      const { pending } = await profileData(deps, account);
      ctx.body = {
        username: account.username,
        name: account.name ?? null,
        email: account.email ?? null,
        email_verified: account.emailVerified === true,
        pending_email: pending ?? null,
        csrf_token: csrfToken(ctx),
      };
      return;
    }
    await page(ctx, deps, account, { notice: NOTICES[String(ctx.query.done ?? '')] });
  };
}

/** A refused value: 400 with its code, as JSON or as the page again with the problem shown. */
async function refuse(ctx: Context, deps: ConsoleDeps, account: AccountRecord, error: unknown): Promise<void> {
  if (!(error instanceof ProfileInputError)) throw error;
  if (wantsJson(ctx)) throw new AppError(400, error.code, error.message);
  await page(ctx, deps, account, { error: error.message, status: 400 });
}

export function submitName(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    const form = await parseBody(ctx, nameForm);
    verifyCsrf(ctx, form.csrf);
    const { account } = await signedIn(ctx, deps);
    let name: string;
    try {
      name = cleanName(form.name);
    } catch (error) {
      await refuse(ctx, deps, account, error);
      return;
    }
    await deps.profile.setName(account.id, name);
    if (wantsJson(ctx)) {
      ctx.body = { name };
      return;
    }
    ctx.status = 303;
    ctx.redirect('/account/profile?done=name');
  };
}

export function submitEmail(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    const form = await parseBody(ctx, emailForm);
    verifyCsrf(ctx, form.csrf);
    const { account } = await requireRecentSignIn(ctx, deps, '/account/profile');
    let email: string;
    try {
      email = cleanEmail(form.email, account.email);
    } catch (error) {
      await refuse(ctx, deps, account, error);
      return;
    }
    await deps.emailChange.request(account, email);
    if (wantsJson(ctx)) {
      ctx.status = 202;
      ctx.body = { pending_email: email };
      return;
    }
    ctx.status = 303;
    ctx.redirect('/account/profile?done=email_sent');
  };
}
