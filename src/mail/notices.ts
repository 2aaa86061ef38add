/**
 * Telling a person that an administrator changed their sign-in (DELETE /users/:id/mfa,
 * POST /users/:id/password). The admin request must not depend on mail: `notify` waits at most
 * NOTICE_WAIT_MS, then lets the message finish (or fail) on its own; a failure is logged with the
 * account id and kind, never the message, and never thrown to the caller.
 */
import type { Logger } from '../platform/logger.ts';
import type { AccountRecord } from '../storage/port.ts';
import type { Mailer } from './mailer.ts';
import { accountNotice, type NoticeKind } from './templates.ts';

export type { NoticeKind } from './templates.ts';

/** What the users routes are given: resolves (never rejects) within the wait, whatever the mail does. */
export type Notify = (account: AccountRecord, kind: NoticeKind) => Promise<void>;

/** 2 s: long enough for a healthy SMTP relay on the LAN, short enough not to slow the admin down. */
export const NOTICE_WAIT_MS = 2_000;

export function createNotices(deps: { mailer: Mailer; logger: Logger; issuer: string; waitMs?: number }) {
  const host = new URL(deps.issuer).host;
  const waitMs = deps.waitMs ?? NOTICE_WAIT_MS;

  /** Sends the notice; rejects on failure (for callers that want to know). */
  async function sendAccountNotice(account: AccountRecord, kind: NoticeKind): Promise<void> {
    if (!account.email) {
      deps.logger.info({ accountId: account.id, kind }, 'account notice not sent: the account has no email address');
      return;
    }
    await deps.mailer.send({ to: account.email, ...accountNotice(account, kind, host) });
  }

  const notify: Notify = async (account, kind) => {
    const sending = sendAccountNotice(account, kind).catch((error: unknown) => {
      deps.logger.error({ accountId: account.id, kind, err: error instanceof Error ? error.message : String(error) }, 'account notice could not be sent');
    });
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
      timer.unref();
    });
    await Promise.race([sending, waited]);
    clearTimeout(timer);
  };

  return { sendAccountNotice, notify };
}

export type Notices = ReturnType<typeof createNotices>;
