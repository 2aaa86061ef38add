/**
 * A real SMTP server on 127.0.0.1 for mail tests (smtp-server, each message parsed with
 * mailparser). It accepts user `mailer` / password `mail-pass`, keeps what it receives, and can
 * be started on a given port (to play an SMTP server that comes back after an outage).
 */
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from './server.ts';

export interface Inbox {
  /** `smtp://mailer:mail-pass@127.0.0.1:<port>`, for SMTP_URL. */
  url: string;
  port: number;
  messages: ParsedMail[];
  /** Recipients of each message, from the SMTP envelope. */
  envelopes: string[][];
  /** The first received message (now or later) that matches and was not taken before. */
  waitFor(match?: (mail: ParsedMail) => boolean, timeoutMs?: number): Promise<ParsedMail>;
  close(): Promise<void>;
}

export interface InboxOptions {
  port?: number;
  /** Refuse every message with 550 after reading it. */
  reject?: boolean;
}

export const SMTP_USER = 'mailer';
export const SMTP_PASSWORD = 'mail-pass';

export async function startInbox(options: InboxOptions = {}): Promise<Inbox> {
  const messages: ParsedMail[] = [];
  const envelopes: string[][] = [];
  const taken = new Set<ParsedMail>();
  let wake: Array<() => void> = [];
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) callback(null, { user: SMTP_USER });
      else callback(new Error('bad credentials'));
    },
    onData(stream, session, callback) {
      if (options.reject) {
        stream.resume();
        stream.on('end', () => callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 })));
        return;
      }
      simpleParser(stream)
        .then((mail) => {
          messages.push(mail);
          envelopes.push(session.envelope.rcptTo.map((to) => to.address));
          const waiting = wake;
          wake = [];
          for (const resolve of waiting) resolve();
          callback();
        })
        .catch(callback);
    },
  });
  const port = options.port ?? (await freePort());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });

  async function waitFor(match: (mail: ParsedMail) => boolean = () => true, timeoutMs = 15_000): Promise<ParsedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = messages.find((mail) => !taken.has(mail) && match(mail));
      if (found) {
        taken.add(found);
        return found;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching mail arrived within ${timeoutMs} ms (${messages.length} received)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  return {
    url: `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${port}`,
    port,
    messages,
    envelopes,
    waitFor,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The first link in a message's text that starts with `prefix` (e.g. `${url}/password/reset/`). */
export function linkIn(mail: ParsedMail, prefix: string): string | undefined {
  const text = mail.text ?? '';
  const start = text.indexOf(prefix);
  if (start < 0) return undefined;
  return /^\S+/.exec(text.slice(start))?.[0];
}
