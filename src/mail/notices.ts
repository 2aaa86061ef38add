/**
 * Telling a person that their sign-in changed: an administrator reset their second factors or
 * set their password, they added or removed a factor, or their email address changed (told at
 * the old address). Each notice goes through the outbox, so `notify` returns as soon as the row
 * is written. Notices carry no link: they say what happened and what to do, with nothing to
 * click that a phisher could imitate.
 */
import type { Logger } from '../platform/logger.ts';
import type { AccountRecord } from '../storage/port.ts';
import type { Outbox } from './outbox.ts';

export type NoticeKind = 'mfa_reset' | 'password_set' | 'email_changed' | 'email_change_requested' | 'factor_added' | 'factor_removed';

/** Template of each notice in views/mail/. */
export const NOTICE_TEMPLATES: Record<NoticeKind, string> = {
  mfa_reset: 'mfa-reset',
  password_set: 'password-set',
  email_changed: 'email-changed',
  email_change_requested: 'email-change-requested',
  factor_added: 'factor-added',
  factor_removed: 'factor-removed',
};

/**
 * What callers are given: resolves (never rejects) once the notice is queued. `to` overrides the
 * address (an email change is told to the old one); `data` adds template values (nothing secret).
 */
export type Notify = (account: AccountRecord, kind: NoticeKind, extra?: { to?: string | undefined; data?: Record<string, unknown> }) => Promise<void>;

export function createNotices(deps: { outbox: Outbox; logger: Logger }): { notify: Notify } {
  const notify: Notify = async (account, kind, extra = {}) => {
    const to = extra.to ?? account.email;
    if (!to) {
      deps.logger.info({ accountId: account.id, kind }, 'account notice not sent: the account has no email address');
      return;
    }
    await deps.outbox.enqueue({
      to,
      template: NOTICE_TEMPLATES[kind],
      data: { who: account.name ?? account.username, username: account.username, ...extra.data },
      accountId: account.id,
    });
  };
  return { notify };
}
