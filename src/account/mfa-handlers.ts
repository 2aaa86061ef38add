/** Handlers of account/mfa-router.ts. */
import type { Context } from 'koa';
import { BACKUP_CODE_COUNT } from '../mfa/backup-codes.ts';
import { codeForm } from '../mfa/code-form.ts';
import { groupSecret, qrDataUri } from '../mfa/qr.ts';
import { parseBody } from '../security/body.ts';
import { csrfToken, verifyCsrf } from '../security/csrf.ts';
import type { EnrolmentSurface } from '../mfa/service.ts';
import { AppError } from '../security/errors.ts';
import type { AccountRecord } from '../storage/port.ts';
import type { AccountMfaDeps } from './mfa-router.ts';
import { requireSignedIn, type SignedIn } from './signed-in.ts';

/**
 * Adding a second factor needs a sign-in at most this old (audit finding 8): a session alone —
 * perhaps password-only, perhaps 14 days old, perhaps left open on a shared computer — must not
 * be enough to put an authenticator of someone else's choosing on the account.
 */
export const ENROL_FRESHNESS_SECONDS = 5 * 60;

/** The signed-in person, if they authenticated within ENROL_FRESHNESS_SECONDS; otherwise 403. */
async function requireFreshSignIn(ctx: Context, deps: AccountMfaDeps): Promise<SignedIn> {
  const signedIn = await requireSignedIn(ctx, deps.holder.current, deps.accounts);
  const age = Math.floor(deps.now() / 1000) - (signedIn.authTime ?? 0);
  if (signedIn.authTime === undefined || age > ENROL_FRESHNESS_SECONDS) {
    throw new AppError(
      403,
      'reauthentication_required',
      'For your security, setting up two-step verification needs a sign-in from the last 5 minutes. Sign out, sign in again through one of your applications, then come back to this page.',
    );
  }
  return signedIn;
}

/** Account pages bind an unconfirmed secret to this browser's issuer session. */
const sessionSurface = (signedIn: SignedIn): EnrolmentSurface => ({ kind: 'session', id: signedIn.sessionUid });

const WRONG_CODE = 'That code is not right, or it was already used. Nothing was changed.';
const NOTICES = new Map([
  ['removed', 'Two-step verification is off. Sign-ins now ask for your password only, unless an application or your role requires more.'],
]);

interface PageExtras {
  error?: string | undefined;
  notice?: string | undefined;
  status?: number | undefined;
}

async function statusPage(ctx: Context, deps: AccountMfaDeps, account: AccountRecord, extras: PageExtras = {}): Promise<void> {
  const status = await deps.mfa.status(account.id);
  await deps.render(ctx, 'account-mfa', {
    username: account.username,
    csrf: csrfToken(ctx),
    ...status,
    totalCodes: BACKUP_CODE_COUNT,
    error: extras.error,
    notice: extras.notice,
  }, extras.status);
}

async function enrolmentPage(ctx: Context, deps: AccountMfaDeps, signedIn: SignedIn, extras: PageExtras = {}): Promise<void> {
  const { account } = signedIn;
  const enrolment = await deps.mfa.beginEnrolment(account.id, account.username, sessionSurface(signedIn));
  await deps.render(ctx, 'mfa-enrol', {
    title: 'Set up two-step verification',
    lead: 'After your password, sign-ins will ask for a code from an authenticator app.',
    action: '/account/mfa/enrol',
    cancelHref: '/account/mfa',
    cancelLabel: 'Cancel',
    csrf: csrfToken(ctx),
    qr: await qrDataUri(enrolment.uri),
    secret: groupSecret(enrolment.secret),
    error: extras.error,
  }, extras.status);
}

export function showStatus(deps: AccountMfaDeps) {
  return async (ctx: Context) => {
    const { account } = await requireSignedIn(ctx, deps.holder.current, deps.accounts);
    await statusPage(ctx, deps, account, { notice: NOTICES.get(String(ctx.query.done ?? '')) });
  };
}

export function showEnrolment(deps: AccountMfaDeps) {
  return async (ctx: Context) => {
    const signedIn = await requireSignedIn(ctx, deps.holder.current, deps.accounts);
    if (await deps.mfa.isEnrolled(signedIn.account.id)) {
      ctx.status = 303;
      ctx.redirect('/account/mfa');
      return;
    }
    await enrolmentPage(ctx, deps, await requireFreshSignIn(ctx, deps));
  };
}

export function confirmEnrolment(deps: AccountMfaDeps) {
  return async (ctx: Context) => {
    const form = await parseBody(ctx, codeForm);
    verifyCsrf(ctx, form.csrf);
    const signedIn = await requireFreshSignIn(ctx, deps);
    const result = await deps.mfa.completeEnrolment(signedIn.account.id, form.code, sessionSurface(signedIn));
    if (!result.ok) {
      await enrolmentPage(ctx, deps, signedIn, { error: WRONG_CODE, status: 401 });
      return;
    }
    await deps.render(ctx, 'mfa-backup-codes', { codes: result.backupCodes, continueUrl: '/account/mfa', continueLabel: 'Done' });
  };
}

export function regenerateCodes(deps: AccountMfaDeps) {
  return async (ctx: Context) => {
    const form = await parseBody(ctx, codeForm);
    verifyCsrf(ctx, form.csrf);
    const { account } = await requireSignedIn(ctx, deps.holder.current, deps.accounts);
    const check = await deps.mfa.verify(account.id, form.code);
    if (!check.ok) {
      await statusPage(ctx, deps, account, { error: WRONG_CODE, status: 401 });
      return;
    }
    const codes = await deps.mfa.regenerateBackupCodes(account.id);
    await deps.render(ctx, 'mfa-backup-codes', { codes, continueUrl: '/account/mfa', continueLabel: 'Done', replaced: true });
  };
}

export function removeMfa(deps: AccountMfaDeps) {
  return async (ctx: Context) => {
    const form = await parseBody(ctx, codeForm);
    verifyCsrf(ctx, form.csrf);
    const { account } = await requireSignedIn(ctx, deps.holder.current, deps.accounts);
    const check = await deps.mfa.verify(account.id, form.code);
    if (!check.ok) {
      await statusPage(ctx, deps, account, { error: WRONG_CODE, status: 401 });
      return;
    }
    await deps.mfa.remove(account.id);
    ctx.status = 303;
    ctx.redirect('/account/mfa?done=removed');
  };
}
