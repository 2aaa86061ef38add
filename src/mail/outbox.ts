/**
 * The outbox: how every part of Portcullis hands over a message. `enqueue` writes one row to the
 * store (the link sealed with KEY_ENCRYPTION_KEYS) and returns; it never waits on SMTP and never
 * rejects, so the request that caused a mail cannot fail because of it. The worker (worker.ts)
 * delivers behind it, so a restart or an SMTP outage loses nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Sealer } from '../keys/sealing.ts';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import type { OutboxRepository } from '../storage/port.ts';
import type { OutboxWorker } from './worker.ts';

export interface OutgoingMail {
  to: string;
  /** A template in src/views/mail/ (`<template>.text.ejs` starting `Subject: …`, and `<template>.html.ejs`). */
  template: string;
  /** What the template shows besides the link; nothing secret (it is stored as it is), JSON values only. */
  data: Record<string, unknown>;
  /** A URL that carries a secret (reset, verification): sealed at rest, given to the template as `link`. */
  link?: string;
  /** The mail is never sent after this (its link would no longer work). */
  expiresAt?: Date;
  /** Whom it is about, for logs and audit (never the address). */
  accountId?: string;
}

export interface Outbox {
  enqueue(mail: OutgoingMail): Promise<void>;
  close(): Promise<void>;
}

const TEMPLATE_NAME = /^[a-z][a-z0-9-]*$/;

export function createStoredOutbox(deps: { repo: OutboxRepository; sealer: Sealer; worker: OutboxWorker; logger: Logger; clock: Clock }): Outbox {
  return {
    async enqueue(mail) {
      const now = deps.clock();
      const about = { accountId: mail.accountId, template: mail.template };
      if (mail.expiresAt && mail.expiresAt.getTime() <= now) {
        deps.logger.info(about, 'mail expired before it was queued; not sent');
        return;
      }
      if (!TEMPLATE_NAME.test(mail.template) || !mail.to) {
        deps.logger.error(about, 'mail not queued: no recipient or not a template name');
        return;
      }
      try {
        await deps.repo.insert({
          id: randomUUID(),
          to: mail.to,
          template: mail.template,
          data: mail.data,
          ...(mail.link === undefined ? {} : { sealedLink: deps.sealer.seal(mail.link) }),
          ...(mail.accountId === undefined ? {} : { accountId: mail.accountId }),
          ...(mail.expiresAt === undefined ? {} : { expiresAt: mail.expiresAt }),
          attempts: 0,
          nextAttemptAt: new Date(now),
          createdAt: new Date(now),
        });
      } catch (error) {
        // The store is down: the caller's own writes are failing too, and it decides about those.
        deps.logger.error({ ...about, err: error instanceof Error ? error.message : String(error) }, 'mail could not be queued');
        return;
      }
      deps.worker.nudge();
    },
    close: () => deps.worker.close(),
  };
}
