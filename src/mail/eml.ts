/**
 * The development outbox: without SMTP_URL outside production, each message is written as an
 * RFC 822 `.eml` file under DATA_DIR/outbox/ (open it in any mail client, or read its text), built
 * by nodemailer's stream transport exactly as it would go over SMTP. Files are owner-only: a
 * reset link in one is a password.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Transporter } from 'nodemailer';
import { lazy } from '../platform/lazy.ts';
import type { Logger } from '../platform/logger.ts';

/** nodemailer, imported with the first message: a server that sends no mail never loads it. */
export const loadNodemailer = lazy(() => import('nodemailer'));

export interface EmlMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export function createEmlWriter(dir: string, logger: Logger) {
  const transport = lazy(
    async (): Promise<Transporter> => (await loadNodemailer()).default.createTransport({ streamTransport: true, buffer: true, newline: 'windows' }),
  );
  return async function write(message: EmlMessage): Promise<string> {
    const built = await (await transport()).sendMail(message);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // Sortable by time, unique without coordination.
    const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.eml`);
    await writeFile(file, built.message as Buffer, { mode: 0o600 });
    logger.info({ to: message.to, subject: message.subject, file }, 'mail written to the development outbox (SMTP_URL is not set)');
    return file;
  };
}
