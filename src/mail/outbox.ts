/**
 * The outbox: how every part of Portcullis hands over a message. `enqueue` returns once the
 * message is accepted, never waiting on SMTP; delivery happens behind it.
 *
 * This first implementation renders and sends at once, in the background, logging a failure.
 */
import type { Logger } from '../platform/logger.ts';
import { renderMail } from '../views/mail-render.ts';
import type { Mailer } from './mailer.ts';

export interface OutgoingMail {
  to: string;
  /** A template in src/views/mail/ (`<template>.text.ejs` starting `Subject: …`, and `<template>.html.ejs`). */
  template: string;
  /** What the template shows besides the link; nothing secret (it may be stored as it is). */
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

export function createDirectOutbox(deps: { mailer: Mailer; logger: Logger; issuer: string }): Outbox {
  const issuerHost = new URL(deps.issuer).host;
  return {
    async enqueue(mail) {
      if (mail.expiresAt && mail.expiresAt.getTime() <= Date.now()) return;
      const sending = renderMail(mail.template, { ...mail.data, link: mail.link, issuerHost })
        .then((rendered) => deps.mailer.send({ to: mail.to, ...rendered }))
        .catch((error: unknown) => {
          deps.logger.error(
            { accountId: mail.accountId, template: mail.template, err: error instanceof Error ? error.message : String(error) },
            'mail could not be sent',
          );
        });
      void sending;
    },
    async close() {},
  };
}
