/** Mail: `createMail(settings)` builds the mailer and the account notices the admin API sends. */
import type { Logger } from '../platform/logger.ts';
import { createMailer, type MailSettings, warnIfUnsent } from './mailer.ts';
import { createNotices } from './notices.ts';
import { createDirectOutbox } from './outbox.ts';

export type { Mailer, MailMessage, MailSettings } from './mailer.ts';
export { createMailer } from './mailer.ts';
export type { NoticeKind, Notify } from './notices.ts';
export type { Outbox, OutgoingMail } from './outbox.ts';

export function createMail(settings: MailSettings, deps: { logger: Logger; issuer: string; production: boolean; waitMs?: number }) {
  warnIfUnsent(settings, deps.production, deps.logger);
  const mailer = createMailer(settings, deps.logger);
  const notices = createNotices({ mailer, logger: deps.logger, issuer: deps.issuer, ...(deps.waitMs === undefined ? {} : { waitMs: deps.waitMs }) });
  const outbox = createDirectOutbox({ mailer, logger: deps.logger, issuer: deps.issuer });
  return { mailer, outbox, ...notices };
}

export type Mail = ReturnType<typeof createMail>;
