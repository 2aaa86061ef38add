/**
 * Account notices against a real SMTP server on loopback (test/support/smtp.ts): a notice arrives
 * with the right To, From, Subject and text, through the outbox; `notify` returns once the row is
 * written, whatever SMTP does; without SMTP_URL in production a message is logged by recipient and
 * subject only (and start-up warns); a person without an address gets nothing.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createAuditBus } from '../../src/audit/bus.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createSealer } from '../../src/keys/sealing.ts';
import { createMail, type MailSettings } from '../../src/mail/index.ts';
import type { Logger } from '../../src/platform/logger.ts';
import { createEmbeddedStore, type EmbeddedStore } from '../../src/storage/embedded/index.ts';
import type { AccountRecord } from '../../src/storage/port.ts';
import { captureLogger } from '../support/log-capture.ts';
import { freePort, startServer } from '../support/server.ts';
import { type Inbox, startInbox } from '../support/smtp.ts';
import { tempDir } from '../support/tmp.ts';

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

const toOf = (mail: { to?: unknown }) => {
  const to = mail.to as { value: Array<{ address?: string }> } | undefined;
  return to && !Array.isArray(to) ? to.value.map((entry) => entry.address) : [];
};

describe('mail notices', () => {
  let inbox: Inbox;
  // Each mail has a store of its own: workers sharing a store share its rows.
  let store: EmbeddedStore;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const made: Array<{ close(): Promise<void> }> = [];
  const mailWith = async (settings: MailSettings, logger: Logger, production = false) => {
    dir = await tempDir();
    store = await createEmbeddedStore(dir.path);
    made.push(store, { close: dir.cleanup });
    const mail = createMail(settings, {
      logger,
      issuer: ISSUER,
      production,
      dataDir: dir.path,
      repo: store.outbox,
      sealer: createSealer([randomBytes(32).toString('base64url')]),
      audit: createAuditBus(() => undefined),
      clock: () => Date.now(),
    });
    made.unshift(mail);
    return mail;
  };
  before(async () => {
    inbox = await startInbox();
  });
  after(async () => {
    for (const item of made) await item.close();
    await inbox.close();
  });

  it('sends "an administrator reset your second factors" to the person, from MAIL_FROM, in text and HTML', async () => {
    const { logger } = captureLogger('info');
    const mail = await mailWith({ smtpUrl: inbox.url, from: 'Portcullis <no-reply@id.example.test>' }, logger);
    await mail.notify(account(), 'mfa_reset');
    const message = await inbox.waitFor((m) => m.subject === 'Your two-step verification was reset');
    assert.deepEqual(toOf(message), ['alice@example.test']);
    assert.equal(message.from?.value[0]?.address, 'no-reply@id.example.test');
    assert.equal(message.from?.value[0]?.name, 'Portcullis');
    assert.match(message.text ?? '', /Hello Alice Example,/);
    assert.match(message.text ?? '', /removed the second factors/);
    assert.match(message.text ?? '', /sent by id\.example\.test about the account alice\./);
    assert.match(String(message.html), /<p>Hello Alice Example,<\/p>/);
    assert.doesNotMatch(`${message.text}${message.html}`, /https?:\/\//, 'a notice has no link to click');
    assert.deepEqual(inbox.envelopes[inbox.messages.indexOf(message)], ['alice@example.test']);
  });

  it('notify sends "an administrator set a new password for you", and escapes the name in HTML but not in text', async () => {
    const { logger } = captureLogger('info');
    const mail = await mailWith({ smtpUrl: inbox.url, from: 'Portcullis <no-reply@id.example.test>' }, logger);
    await mail.notify(account({ id: 'acct-esc', name: '<b>Alice</b> & co' }), 'password_set');
    const message = await inbox.waitFor((m) => m.subject === 'An administrator set a new password for your account');
    assert.match(message.text ?? '', /Hello <b>Alice<\/b> & co,/);
    assert.match(String(message.html), /&lt;b&gt;Alice&lt;\/b&gt; &amp; co/);
    assert.doesNotMatch(String(message.html), /<b>Alice<\/b>/);
  });

  it('MAIL_FROM defaults to Portcullis <no-reply@issuer host>; SMTP_URL must be smtp:// or smtps://', () => {
    const config = loadConfig({ ISSUER: 'https://id.example.test', NODE_ENV: 'test' });
    assert.equal(config.mail.from, 'Portcullis <no-reply@id.example.test>');
    assert.equal(config.mail.smtpUrl, undefined);
    assert.equal(loadConfig({ NODE_ENV: 'test', SMTP_URL: 'smtps://u:p@mail.example.test:465' }).mail.smtpUrl, 'smtps://u:p@mail.example.test:465');
    assert.throws(() => loadConfig({ NODE_ENV: 'test', SMTP_URL: 'http://mail.example.test' }), /SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/);
    assert.throws(() => loadConfig({ NODE_ENV: 'test', MAIL_FROM: 'a@b.test\r\nBcc: x@y.test' }), /MAIL_FROM: must be one line/);
  });

  it('in production without SMTP_URL a message is logged by recipient and subject, with nothing of its body, and not sent', async () => {
    const { logger, lines } = captureLogger('info');
    const mail = await mailWith({ smtpUrl: undefined, from: 'Portcullis <no-reply@id.example.test>' }, logger, true);
    await mail.notify(account({ id: 'acct-prod' }), 'password_set');
    await mail.worker.sweep();
    const logged = lines.find((line) => line.msg === 'mail not sent (SMTP_URL is not set)');
    assert.ok(logged, 'the message is logged');
    assert.equal(logged.to, 'alice@example.test');
    assert.equal(logged.subject, 'An administrator set a new password for your account');
    assert.doesNotMatch(JSON.stringify(lines), /old password no longer works/, 'no body in the log');
    assert.equal(mail.mailer.delivers, false);
    assert.equal(mail.mailer.mode, 'log');
    assert.equal((await store.outbox.list()).length, 0, 'the row is done with');
  });

  it('in production an unset SMTP_URL is a start-up warning; outside production there is none', async () => {
    const production = captureLogger('info');
    await mailWith({ smtpUrl: undefined, from: 'x <x@y.test>' }, production.logger, true);
    assert.match(production.warnings()[0]?.msg ?? '', /SMTP_URL is not set/);
    const configured = captureLogger('info');
    await mailWith({ smtpUrl: inbox.url, from: 'x <x@y.test>' }, configured.logger, true);
    assert.equal(configured.warnings().length, 0);
    const development = captureLogger('info');
    await mailWith({ smtpUrl: undefined, from: 'x <x@y.test>' }, development.logger, false);
    assert.equal(development.warnings().length, 0);
  });

  it('a person without an email address gets no message, and nothing fails', async () => {
    const { logger, lines } = captureLogger('info');
    const mail = await mailWith({ smtpUrl: inbox.url, from: 'x <x@y.test>' }, logger);
    await mail.notify(account({ id: 'acct-none', email: undefined }), 'mfa_reset');
    assert.equal((await store.outbox.list()).length, 0, 'nothing queued');
    assert.ok(lines.some((line) => line.msg.includes('no email address') && line.accountId === 'acct-none'));
  });

  it('notify returns once the notice is queued, while an SMTP server that never answers still holds the send', async () => {
    // A TCP listener that accepts and says nothing: SMTP waits for a greeting that never comes.
    const sockets: Socket[] = [];
    const silent = createTcpServer((socket) => sockets.push(socket));
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    const { logger } = captureLogger('info');
    const mail = await mailWith({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'x <x@y.test>' }, logger);
    try {
      await mail.notify(account({ id: 'acct-silent' }), 'mfa_reset');
      const rows = (await store.outbox.list()).filter((row) => row.accountId === 'acct-silent');
      assert.equal(rows.length, 1, 'the notice is in the outbox');
      if (sockets.length === 0) await new Promise((resolve) => silent.once('connection', resolve));
      assert.equal(sockets.length, 1, 'the worker is connected and waiting for a greeting');
      assert.equal((await store.outbox.list()).filter((row) => row.accountId === 'acct-silent').length, 1, 'not delivered, not lost');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
      await mail.close();
    }
  });

  it('the server wires SMTP_URL and MAIL_FROM into portcullis.mail, for the users routes to notify through', async () => {
    const server = await startServer({ env: { SMTP_URL: inbox.url, MAIL_FROM: 'Identity Team <identity@example.test>' } });
    try {
      const alice = await server.portcullis.accounts.findByUsername('alice');
      assert.ok(alice);
      await server.portcullis.mail.notify(alice, 'mfa_reset');
      const message = await inbox.waitFor((m) => toOf(m).includes('alice@example.com'));
      assert.equal(message.from?.value[0]?.address, 'identity@example.test');
    } finally {
      await server.close();
    }
  });
});
