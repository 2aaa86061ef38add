/** /account/mfa: set up an authenticator, make new backup codes, turn two-step verification off. */
import type { Context } from 'koa';
import { BACKUP_CODE_COUNT } from '../mfa/backup-codes.ts';
import type { EnrolmentSurface } from '../mfa/service.ts';
import { parseBody } from '../security/body.ts';
import { codeForm } from '../security/code-form.ts';
import { csrfToken, verifyCsrf } from '../security/csrf.ts';
import { AppError } from '../security/errors.ts';
import type { AccountRecord } from '../storage/port.ts';
import { groupSecret, qrDataUri } from '../views/qr.ts';
import type { ConsoleDeps } from './deps.ts';
import { type SignedIn, signedIn } from './signed-in.ts';

/**
 * Adding a second factor needs a sign-in at most this old (audit finding 8): a session alone —
 * perhaps password-only, perhaps 14 days old, perhaps left open on a shared computer — must not
 * be enough to put an authenticator of someone else's choosing on the account.
 */
export const ENROL_FRESHNESS_SECONDS = 5 * 60;

/** The signed-in person, if they authenticated within ENROL_FRESHNESS_SECONDS; otherwise 403. */
async function requireFreshSignIn(ctx: Context, deps: ConsoleDeps): Promise<SignedIn> {
  const me = await signedIn(ctx, deps);
  const age = Math.floor(deps.now() / 1000) - (me.authTime ?? 0);
  if (me.authTime === undefined || age > ENROL_FRESHNESS_SECONDS) {
    throw new AppError(
      403,
      'reauthentication_required',
      'For your security, setting up two-step verification needs a sign-in from the last 5 minutes. Sign out (Your sessions, then “Sign out of this browser”), then open this page again: it asks you to sign in.',
    );
  }
  return me;
}

/** Account pages bind an unconfirmed secret to this browser's issuer session. */
const sessionSurface = (me: SignedIn): EnrolmentSurface => ({ kind: 'session', id: me.sessionUid });

const WRONG_CODE = 'That code is not right, or it was already used. Nothing was changed.';
const NOTICES = new Map([
  ['removed', 'Two-step verification is off. Sign-ins now ask for your password only, unless an application or your role requires more.'],
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
    await enrolmentPage(ctx, deps, await requireFreshSignIn(ctx, deps));
  };
}

export function confirmEnrolment(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    const form = await parseBody(ctx, codeForm);
    verifyCsrf(ctx, form.csrf);
    const me = await requireFreshSignIn(ctx, deps);
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
    const { account } = await signedIn(ctx, deps);
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
