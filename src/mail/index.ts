/**
 * Mail: `createMail(settings, deps)` builds the mailer, the stored outbox with its worker, and
 * the account notices. The worker starts here and stops with `close()`.
 */
import type { AuditInput } from '../audit/bus.ts';
import type { Sealer } from '../keys/sealing.ts';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import type { OutboxRepository } from '../storage/port.ts';
import { createMailer, type MailSettings, warnIfUnsent } from './mailer.ts';
import { createNotices } from './notices.ts';
import { createStoredOutbox } from './outbox.ts';
import { createOutboxWorker } from './worker.ts';

export { subscribeFactorNotices } from './factor-notices.ts';
export type { Mailer, MailerMode, MailMessage, MailSettings } from './mailer.ts';
export { createMailer } from './mailer.ts';
export type { NoticeKind, Notify } from './notices.ts';
export type { Outbox, OutgoingMail } from './outbox.ts';
export type { OutboxWorker } from './worker.ts';

export interface MailDeps {
  logger: Logger;
  issuer: string;
  production: boolean;
  dataDir: string;
  repo: OutboxRepository;
  sealer: Sealer;
  audit: { emit(input: AuditInput): unknown };
  clock: Clock;
  /** Default 30 s (mail/retry.ts). */
  sweepIntervalMs?: number;
}

export function createMail(settings: MailSettings, deps: MailDeps) {
  warnIfUnsent(settings, deps.production, deps.logger);
  const mailer = createMailer(settings, { logger: deps.logger, production: deps.production, dataDir: deps.dataDir });
  const worker = createOutboxWorker({
    repo: deps.repo,
    sealer: deps.sealer,
    mailer,
    audit: deps.audit,
    logger: deps.logger,
    clock: deps.clock,
    issuerHost: new URL(deps.issuer).host,
    ...(deps.sweepIntervalMs === undefined ? {} : { sweepIntervalMs: deps.sweepIntervalMs }),
  });
  const outbox = createStoredOutbox({ repo: deps.repo, sealer: deps.sealer, worker, logger: deps.logger, clock: deps.clock });
  const { notify } = createNotices({ outbox, logger: deps.logger });
  worker.start();
  return {
    mailer,
    outbox,
    /** Tests sweep by hand after moving the clock. */
    worker,
    notify,
    async close() {
      await outbox.close();
      mailer.close();
    },
  };
}

export type Mail = ReturnType<typeof createMail>;
