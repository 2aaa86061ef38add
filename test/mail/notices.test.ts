/**
 * The mailer against a real SMTP server on loopback (smtp-server, parsed with mailparser): an
 * account notice arrives with the right To, From, Subject and text; SMTP_URL unset logs the
 * recipient and subject and sends nothing (and production warns at start-up); an SMTP server
 * that is down or refuses is logged and never fails the caller, who waits no longer than the limit.
 */
import assert from 'node:assert/strict';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../../src/config/index.ts';
import { createMail } from '../../src/mail/index.ts';
import type { AccountRecord } from '../../src/storage/port.ts';
import { captureLogger } from '../support/log-capture.ts';
import { freePort, startServer } from '../support/server.ts';

const ISSUER = 'https://id.example.test';

const account = (overrides: Partial<AccountRecord> = {}): AccountRecord =>
  ({
    id: 'acct-1',
    username: 'alice',
    email: 'alice@example.test',
    name: 'Alice Example',
    status: 'active',
    ...overrides,
  }) as AccountRecord;

interface Inbox {
  url: string;
  messages: ParsedMail[];
  envelopes: string[][];
  next(): Promise<ParsedMail>;
  close(): Promise<void>;
}

/** An SMTP server on 127.0.0.1 that accepts user/pass and keeps what it receives. */
async function startInbox(options: { reject?: boolean } = {}): Promise<Inbox> {
  const messages: ParsedMail[] = [];
  const envelopes: string[][] = [];
  const waiting: Array<(mail: ParsedMail) => void> = [];
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    onAuth(auth, _session, callback) {
      if (auth.username === 'mailer' && auth.password === 'mail-pass') callback(null, { user: 'mailer' });
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
          waiting.shift()?.(mail);
          callback();
        })
        .catch(callback);
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `smtp://mailer:mail-pass@127.0.0.1:${port}`,
    messages,
    envelopes,
    next: () => new Promise((resolve) => waiting.push(resolve)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('mail', () => {
  let inbox: Inbox;
  before(async () => {
    inbox = await startInbox();
  });
  after(() => inbox.close());

  it('sends "an administrator reset your second factors" to the person, from MAIL_FROM, in text and HTML', async () => {
    const { logger } = captureLogger('info');
    const mail = createMail({ smtpUrl: inbox.url, from: 'Portcullis <no-reply@id.example.test>' }, { logger, issuer: ISSUER, production: false });
    try {
      const arriving = inbox.next();
      await mail.sendAccountNotice(account(), 'mfa_reset');
      const message = await arriving;
      assert.equal(message.subject, 'Your two-step verification was reset');
      assert.deepEqual(message.to && !Array.isArray(message.to) ? message.to.value.map((to) => to.address) : [], ['alice@example.test']);
      assert.equal(message.from?.value[0]?.address, 'no-reply@id.example.test');
      assert.equal(message.from?.value[0]?.name, 'Portcullis');
      assert.match(message.text ?? '', /Hello Alice Example,/);
      assert.match(message.text ?? '', /removed the second factors/);
      assert.match(String(message.html), /<p>Hello Alice Example,<\/p>/);
      assert.deepEqual(inbox.envelopes.at(-1), ['alice@example.test']);
    } finally {
      mail.mailer.close();
    }
  });

  it('notify sends "an administrator set a new password for you", and escapes the name in HTML', async () => {
    const { logger } = captureLogger('info');
    const mail = createMail({ smtpUrl: inbox.url, from: 'Portcullis <no-reply@id.example.test>' }, { logger, issuer: ISSUER, production: false });
    try {
      const arriving = inbox.next();
      await mail.notify(account({ name: '<b>Alice</b>' }), 'password_set');
      const message = await arriving;
      assert.equal(message.subject, 'An administrator set a new password for your account');
      assert.match(message.text ?? '', /set a new password for your account/);
      assert.match(String(message.html), /&lt;b&gt;Alice&lt;\/b&gt;/);
      assert.doesNotMatch(String(message.html), /<b>Alice<\/b>/);
    } finally {
      mail.mailer.close();
    }
  });

  it('MAIL_FROM defaults to Portcullis <no-reply@issuer host>; SMTP_URL must be smtp:// or smtps://', () => {
    const config = loadConfig({ ISSUER: 'https://id.example.test', NODE_ENV: 'test' });
    assert.equal(config.mail.from, 'Portcullis <no-reply@id.example.test>');
    assert.equal(config.mail.smtpUrl, undefined);
    assert.equal(loadConfig({ NODE_ENV: 'test', SMTP_URL: 'smtps://u:p@mail.example.test:465' }).mail.smtpUrl, 'smtps://u:p@mail.example.test:465');
    assert.throws(() => loadConfig({ NODE_ENV: 'test', SMTP_URL: 'http://mail.example.test' }), /SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/);
    assert.throws(() => loadConfig({ NODE_ENV: 'test', MAIL_FROM: 'a@b.test\r\nBcc: x@y.test' }), /MAIL_FROM: must be one line/);
  });

  it('without SMTP_URL a message is logged by recipient and subject, with nothing of its body, and not sent', async () => {
    const { logger, lines } = captureLogger('info');
    const mail = createMail({ smtpUrl: undefined, from: 'Portcullis <no-reply@id.example.test>' }, { logger, issuer: ISSUER, production: false });
    await mail.notify(account(), 'password_set');
    const logged = lines.find((line) => line.msg === 'mail not sent (SMTP_URL is not set)');
    assert.ok(logged, 'the message is logged');
    assert.equal(logged.to, 'alice@example.test');
    assert.equal(logged.subject, 'An administrator set a new password for your account');
    assert.doesNotMatch(JSON.stringify(lines), /old password no longer works/, 'no body in the log');
    assert.equal(mail.mailer.delivers, false);
    assert.equal(lines.filter((line) => line.level === 40).length, 0, 'no warning outside production');
  });

  it('in production an unset SMTP_URL is a start-up warning', () => {
    const { logger, warnings } = captureLogger('info');
    createMail({ smtpUrl: undefined, from: 'x <x@y.test>' }, { logger, issuer: ISSUER, production: true });
    assert.match(warnings()[0]?.msg ?? '', /SMTP_URL is not set/);
    const configured = captureLogger('info');
    createMail({ smtpUrl: inbox.url, from: 'x <x@y.test>' }, { logger: configured.logger, issuer: ISSUER, production: true }).mailer.close();
    assert.equal(configured.warnings().length, 0);
  });

  it('a person without an email address gets no message, and nothing fails', async () => {
    const { logger, lines } = captureLogger('info');
    const mail = createMail({ smtpUrl: inbox.url, from: 'x <x@y.test>' }, { logger, issuer: ISSUER, production: false });
    const before = inbox.messages.length;
    await mail.notify(account({ email: undefined }), 'mfa_reset');
    mail.mailer.close();
    assert.equal(inbox.messages.length, before);
    assert.ok(lines.some((line) => line.msg.includes('no email address') && line.accountId === 'acct-1'));
  });

  it('SMTP down: notify logs the failure and resolves; sendAccountNotice rejects for callers that ask', async () => {
    const { logger, lines } = captureLogger('info');
    const port = await freePort();
    const mail = createMail({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'x <x@y.test>' }, { logger, issuer: ISSUER, production: false });
    try {
      await mail.notify(account(), 'mfa_reset');
      // The failure may land after the wait; it is logged either way.
      await assert.rejects(mail.sendAccountNotice(account(), 'mfa_reset'), /ECONNREFUSED|connect/i);
      const failure = lines.find((line) => line.msg === 'account notice could not be sent');
      assert.ok(failure, 'the failure is logged');
      assert.equal(failure.accountId, 'acct-1');
      assert.equal(failure.kind, 'mfa_reset');
      assert.equal(failure.level, 50);
    } finally {
      mail.mailer.close();
    }
  });

  it('an SMTP server that refuses the message is logged, not thrown', async () => {
    const refusing = await startInbox({ reject: true });
    const { logger, lines } = captureLogger('info');
    const mail = createMail({ smtpUrl: refusing.url, from: 'x <x@y.test>' }, { logger, issuer: ISSUER, production: false });
    try {
      await assert.rejects(mail.sendAccountNotice(account(), 'password_set'), /550|mailbox unavailable/);
      await mail.notify(account(), 'password_set');
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      mail.mailer.close();
      await refusing.close();
    }
    assert.ok(lines.some((line) => line.msg === 'account notice could not be sent'));
  });

  it('an SMTP server that never answers does not hold the caller past the wait', async () => {
    // A TCP listener that accepts and says nothing: SMTP waits for a greeting that never comes.
    const sockets: import('node:net').Socket[] = [];
    const silent: TcpServer = createTcpServer((socket) => sockets.push(socket));
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    const { logger, lines } = captureLogger('info');
    const mail = createMail({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'x <x@y.test>' }, { logger, issuer: ISSUER, production: false, waitMs: 50 });
    await mail.notify(account(), 'mfa_reset');
    // The greeting never came and the send has not failed yet (its timeout is 10 s): only the
    // wait can have ended notify. On a busy machine the connection may land after the wait.
    if (sockets.length === 0) await new Promise((resolve) => silent.once('connection', resolve));
    assert.equal(sockets.length, 1, 'the mailer did connect');
    assert.ok(!lines.some((line) => line.msg === 'account notice could not be sent'), 'notify returned before the send ended');
    mail.mailer.close();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('the server wires SMTP_URL and MAIL_FROM into portcullis.mail, for the users routes to notify through', async () => {
    const server = await startServer({ env: { SMTP_URL: inbox.url, MAIL_FROM: 'Identity Team <identity@example.test>' } });
    try {
      const alice = await server.portcullis.accounts.findByUsername('alice');
      assert.ok(alice);
      const arriving = inbox.next();
      await server.portcullis.mail.notify(alice, 'mfa_reset');
      const message = await arriving;
      assert.equal(message.from?.value[0]?.address, 'identity@example.test');
      assert.deepEqual(inbox.envelopes.at(-1), ['alice@example.com']);
    } finally {
      await server.close();
    }
  });
});
