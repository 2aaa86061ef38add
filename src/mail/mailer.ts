/**
 * Sending mail, in one of three ways chosen once at start-up:
 * - `smtp`: nodemailer over SMTP_URL (`smtp://` upgrades with STARTTLS when offered, `smtps://`
 *   is TLS from the first byte);
 * - `eml`: no SMTP_URL outside production: written as `.eml` files under DATA_DIR/outbox/ (eml.ts);
 * - `log`: no SMTP_URL in production: logged by recipient and subject only — never the body,
 *   whose links may carry secrets — and start-up warns (see `warnIfUnsent`).
 * The outbox worker (worker.ts) is the only caller; nothing else waits on a send.
 * nodemailer (~25 MiB resident) is imported with the first message sent, not at start-up
 * (loadNodemailer in eml.ts).
 */
import { join } from 'node:path';
import type { Transporter } from 'nodemailer';
import type { Logger } from '../platform/logger.ts';
import { createEmlWriter, loadNodemailer } from './eml.ts';

export interface MailSettings {
  /** SMTP_URL; unset, messages are written as .eml files (development) or logged (production). */
  smtpUrl: string | undefined;
  /** MAIL_FROM, e.g. `Portcullis <no-reply@id.example.com>`. */
  from: string;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export type MailerMode = 'smtp' | 'eml' | 'log';

export interface Mailer {
  /** Sends one message; rejects when the SMTP server refuses it or cannot be reached. */
  send(message: MailMessage): Promise<void>;
  readonly mode: MailerMode;
  /** Whether messages really leave (SMTP_URL is set). */
  readonly delivers: boolean;
  close(): void;
}

export interface MailerDeps {
  logger: Logger;
  production: boolean;
  /** DATA_DIR: the development outbox is DATA_DIR/outbox/. */
  dataDir: string;
}

/**
 * 10 s per phase (connect, greeting, each command): an SMTP server that does not answer is a
 * failed attempt for the outbox to retry, not something to wait minutes for (nodemailer's defaults).
 */
const SMTP_TIMEOUT_MS = 10_000;

export function createMailer(settings: MailSettings, deps: MailerDeps): Mailer {
  const { logger } = deps;
  if (!settings.smtpUrl && !deps.production) {
    const write = createEmlWriter(join(deps.dataDir, 'outbox'), logger);
    return {
      mode: 'eml',
      delivers: false,
      async send(message) {
        await write({ from: settings.from, ...message });
      },
      close() {},
    };
  }
  if (!settings.smtpUrl) {
    return {
      mode: 'log',
      delivers: false,
      async send(message) {
        logger.info({ to: message.to, subject: message.subject }, 'mail not sent (SMTP_URL is not set)');
      },
      close() {},
    };
  }
  const smtpUrl = settings.smtpUrl;
  // Made with the first message (nodemailer connects per send anyway, so nothing is lost).
  let transport: Promise<Transporter> | undefined;
  const open = () => {
    transport ??= loadNodemailer().then(({ default: nodemailer }) =>
      // The URL's host, port, credentials and scheme, with timeouts.
      nodemailer.createTransport({
        url: smtpUrl,
        connectionTimeout: SMTP_TIMEOUT_MS,
        greetingTimeout: SMTP_TIMEOUT_MS,
        socketTimeout: SMTP_TIMEOUT_MS,
      }),
    );
    // A failed import is retried with the next message.
    transport.catch(() => (transport = undefined));
    return transport;
  };
  return {
    mode: 'smtp',
    delivers: true,
    async send(message) {
      await (await open()).sendMail({ from: settings.from, ...message });
      logger.info({ to: message.to, subject: message.subject }, 'mail sent');
    },
    close() {
      void transport?.then(
        (opened) => opened.close(),
        () => undefined,
      );
    },
  };
}

/** In production, mail that is only logged is a configuration mistake worth one line at start-up. */
export function warnIfUnsent(settings: MailSettings, production: boolean, logger: Logger): void {
  if (production && !settings.smtpUrl) {
    logger.warn(
      'SMTP_URL is not set: mail to people (an administrator reset your second factors or set your password, a factor was added or removed, your email changed) is logged by recipient and subject, not sent',
    );
  }
}
