/** Handlers of account/mfa-router.ts. */
import type { Context } from 'koa';
import { BACKUP_CODE_COUNT } from '../mfa/backup-codes.ts';
import { codeForm } from '../mfa/code-form.ts';
import { groupSecret, qrDataUri } from '../mfa/qr.ts';
import { parseBody } from '../security/body.ts';
import { csrfToken, verifyCsrf } from '../security/csrf.ts';
import type { AccountRecord } from '../storage/port.ts';
import type { AccountMfaDeps } from './mfa-router.ts';
import { requireSignedIn } from './signed-in.ts';

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

async function enrolmentPage(ctx: Context, deps: AccountMfaDeps, account: AccountRecord, extras: PageExtras = {}): Promise<void> {
  const enrolment = await deps.mfa.beginEnrolment(account.id, account.username);
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
    const { account } = await requireSignedIn(ctx, deps.holder.current, deps.accounts);
    if (await deps.mfa.isEnrolled(account.id)) {
      ctx.status = 303;
      ctx.redirect('/account/mfa');
      return;
    }
    await enrolmentPage(ctx, deps, account);
  };
}

export function confirmEnrolment(deps: AccountMfaDeps) {
  return async (ctx: Context) => {
    const form = await parseBody(ctx, codeForm);
    verifyCsrf(ctx, form.csrf);
    const { account } = await requireSignedIn(ctx, deps.holder.current, deps.accounts);
    const result = await deps.mfa.completeEnrolment(account.id, form.code);
    if (!result.ok) {
      await enrolmentPage(ctx, deps, account, { error: WRONG_CODE, status: 401 });
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
