/**
 * Sending mail: nodemailer over SMTP_URL (`smtp://` upgrades with STARTTLS when offered,
 * `smtps://` is TLS from the first byte). Without SMTP_URL nothing is sent: each message is
 * logged by recipient and subject only — never its body, whose links may carry secrets — which
 * is enough to develop against, and a production start-up says so (see `warnIfUnsent`).
 */
import nodemailer from 'nodemailer';
import type { Logger } from '../platform/logger.ts';

export interface MailSettings {
  /** SMTP_URL; unset, messages are logged and not sent. */
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

export interface Mailer {
  /** Sends one message; rejects when the SMTP server refuses it or cannot be reached. */
  send(message: MailMessage): Promise<void>;
  /** Whether messages really leave (SMTP_URL is set). */
  readonly delivers: boolean;
  close(): void;
}

/**
 * 10 s per phase (connect, greeting, each command): an SMTP server that does not answer is a
 * fault to log, not something a request should wait for.
 */
const SMTP_TIMEOUT_MS = 10_000;

export function createMailer(settings: MailSettings, logger: Logger): Mailer {
  if (!settings.smtpUrl) {
    return {
      delivers: false,
      async send(message) {
        logger.info({ to: message.to, subject: message.subject }, 'mail not sent (SMTP_URL is not set)');
      },
      close() {},
    };
  }
  // The URL's host, port, credentials and scheme, with timeouts (nodemailer's defaults are minutes).
  const transport = nodemailer.createTransport({
    url: settings.smtpUrl,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  });
  return {
    delivers: true,
    async send(message) {
      await transport.sendMail({ from: settings.from, ...message });
      logger.info({ to: message.to, subject: message.subject }, 'mail sent');
    },
    close() {
      transport.close();
    },
  };
}

/** In production, mail that is only logged is a configuration mistake worth one line at start-up. */
export function warnIfUnsent(settings: MailSettings, production: boolean, logger: Logger): void {
  if (production && !settings.smtpUrl) {
    logger.warn('SMTP_URL is not set: notices to people (an administrator reset your second factors, set your password) are logged, not sent');
  }
}
