/** /account/mfa: set up an authenticator, make new backup codes, turn two-step verification off. */
import type { Context } from 'koa';
import { BACKUP_CODE_COUNT } from '../mfa/backup-codes.ts';
import type { EnrolmentSurface, MfaStatus } from '../mfa/service.ts';
import { parseBody, wantsJson } from '../security/body.ts';
import { codeForm } from '../security/code-form.ts';
import { csrfToken, verifyCsrf } from '../security/csrf.ts';
import type { AccountRecord } from '../storage/port.ts';
import { groupSecret, qrDataUri } from '../views/qr.ts';
import type { ConsoleDeps } from './deps.ts';
import { type SignedIn, signedIn } from './signed-in.ts';
import { requireRecentSignIn } from './step-up.ts';

/*
 * Setting up, replacing backup codes and turning off all need a recent sign-in (audit finding 8:
 * a session alone — perhaps password-only, perhaps 14 days old, perhaps left open on a shared
 * computer — must not be enough to put an authenticator of someone else's choosing on the
 * account). That is the console's one step-up rule, ACCOUNT_REAUTH_MAX_AGE (step-up.ts): past
 * it, the person signs in again and comes back here.
 */

/** The section as JSON (GET /account/mfa with Accept: application/json). */
const mfaJson = (status: MfaStatus, csrf: string) => ({
  enrolled: status.enrolled,
  backup_codes_left: status.backupCodesRemaining,
  backup_codes_total: BACKUP_CODE_COUNT,
  backup_codes_low: status.backupCodesLow,
  csrf_token: csrf,
});

/** Account pages bind an unconfirmed secret to this browser's issuer session. */
const sessionSurface = (me: SignedIn): EnrolmentSurface => ({ kind: 'session', id: me.sessionUid });

const WRONG_CODE = 'That code is not right, or it was already used. Nothing was changed.';
const NOTICES = new Map([
  ['removed', 'Two-step verification is off. Sign-ins now ask for your password only, unless an application or your role requires more.'],
  ['passkey_added', 'Your passkey is added. You can sign in with it instead of your password, or use it as your second step.'],
  ['passkey_renamed', 'Your passkey is renamed.'],
  ['passkey_removed', 'The passkey is removed: it no longer signs in to your account.'],
]);

interface PageExtras {
  error?: string | undefined;
  notice?: string | undefined;
  status?: number | undefined;
}

async function statusPage(ctx: Context, deps: ConsoleDeps, account: AccountRecord, extras: PageExtras = {}): Promise<void> {
  const status = await deps.mfa.status(account.id);
  await deps.render(
    ctx,
    'account-mfa',
    {
      username: account.username,
      csrf: csrfToken(ctx),
      ...status,
      totalCodes: BACKUP_CODE_COUNT,
      // undefined when passkeys are off: the page then shows no passkey part.
      passkeys: deps.passkeys ? await deps.passkeys.list(account.id) : undefined,
      error: extras.error,
      notice: extras.notice,
    },
    extras.status,
  );
}

async function enrolmentPage(ctx: Context, deps: ConsoleDeps, me: SignedIn, extras: PageExtras = {}): Promise<void> {
  const { account } = me;
  const enrolment = await deps.mfa.beginEnrolment(account.id, account.username, sessionSurface(me));
  await deps.render(
    ctx,
    'mfa-enrol',
    {
      title: 'Set up two-step verification',
      lead: 'After your password, sign-ins will ask for a code from an authenticator app.',
      action: '/account/mfa/enrol',
      cancelHref: '/account/mfa',
      cancelLabel: 'Cancel',
      csrf: csrfToken(ctx),
      qr: await qrDataUri(enrolment.uri),
      secret: groupSecret(enrolment.secret),
      error: extras.error,
    },
    extras.status,
  );
}

export function showStatus(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    const { account } = await signedIn(ctx, deps);
    if (wantsJson(ctx)) {
      ctx.body = mfaJson(await deps.mfa.status(account.id), csrfToken(ctx));
      return;
    }
    await statusPage(ctx, deps, account, { notice: NOTICES.get(String(ctx.query.done ?? '')) });
  };
}

export function showEnrolment(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    const me = await signedIn(ctx, deps);
    if (await deps.mfa.isEnrolled(me.account.id)) {
      ctx.status = 303;
      ctx.redirect('/account/mfa');
      return;
    }
    await enrolmentPage(ctx, deps, await requireRecentSignIn(ctx, deps));
  };
}

export function confirmEnrolment(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    const form = await parseBody(ctx, codeForm);
    verifyCsrf(ctx, form.csrf);
    const me = await requireRecentSignIn(ctx, deps, '/account/mfa/enrol');
    const result = await deps.mfa.completeEnrolment(me.account.id, form.code, sessionSurface(me));
    if (!result.ok) {
      await enrolmentPage(ctx, deps, me, { error: WRONG_CODE, status: 401 });
      return;
    }
    await deps.render(ctx, 'mfa-backup-codes', { codes: result.backupCodes, continueUrl: '/account/mfa', continueLabel: 'Done' });
  };
}

/**
 * Making new backup codes and turning two-step verification off both need a fresh code (TOTP or
 * backup code) in the same form: a wrong one shows the status page again with 401.
 */
function withFreshCode(deps: ConsoleDeps, act: (ctx: Context, account: AccountRecord) => Promise<void>) {
  return async (ctx: Context) => {
    const form = await parseBody(ctx, codeForm);
    verifyCsrf(ctx, form.csrf);
    const { account } = await requireRecentSignIn(ctx, deps, '/account/mfa');
    const check = await deps.mfa.verify(account.id, form.code);
    if (!check.ok) {
      await statusPage(ctx, deps, account, { error: WRONG_CODE, status: 401 });
      return;
    }
    await act(ctx, account);
  };
}

export const regenerateCodes = (deps: ConsoleDeps) =>
  withFreshCode(deps, async (ctx, account) => {
    const codes = await deps.mfa.regenerateBackupCodes(account.id);
    await deps.render(ctx, 'mfa-backup-codes', { codes, continueUrl: '/account/mfa', continueLabel: 'Done', replaced: true });
  });

export const removeMfa = (deps: ConsoleDeps) =>
  withFreshCode(deps, async (ctx, account) => {
    await deps.mfa.remove(account.id);
    ctx.status = 303;
    ctx.redirect('/account/mfa?done=removed');
  });
