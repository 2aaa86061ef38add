/**
 * The durable outbox over a real Portcullis and a real SMTP server on loopback: SMTP down when a
 * mail is queued loses nothing (it arrives once the server is up, across a Portcullis restart too);
 * an expired row is never sent; the last retry gives up with `mail.failed` and deletes the row; a
 * refusal gives up at once; the stored row holds its link sealed; two instances sharing one store
 * send each message once. Time moves with the injected clock, never by sleeping.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MAX_ATTEMPTS, retryDelay } from '../../src/mail/retry.ts';
import { createEmbeddedStore } from '../../src/storage/embedded/index.ts';
import { TestClock } from '../support/mfa.ts';
import { freePort, startServer } from '../support/server.ts';
import { type Inbox, SMTP_PASSWORD, SMTP_USER, startInbox } from '../support/smtp.ts';
import { tempDir } from '../support/tmp.ts';

const SECRETS = { COOKIE_KEYS: randomBytes(32).toString('base64url'), KEY_ENCRYPTION_KEYS: randomBytes(32).toString('base64url') };
const LINK = 'http://127.0.0.1/password/reset/secret-token-0123456789abcdefghijklmnop';
const MINUTE = 60;

const smtpAt = (port: number) => `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${port}`;

function resetLikeMail(to: string, extra: { expiresAt?: Date } = {}) {
  return { to, template: 'password-set', data: { who: 'Pat', username: 'pat' }, link: LINK, accountId: 'acct-pat', ...extra };
}

describe('mail outbox', () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const inboxAt = async (port?: number) => {
    const inbox = await startInbox(port === undefined ? {} : { port });
    cleanups.push(() => inbox.close());
    return inbox;
  };
  const serverWith = async (env: Record<string, string>, clock: TestClock, extra: Parameters<typeof startServer>[0] = {}) => {
    let server = await startServer({ env: { ...SECRETS, ...env }, options: { now: clock.now, ...extra.options }, ...extra });
    cleanups.push(() => server.close());
    return {
      get current() {
        return server;
      },
      async restart() {
        server = await server.restart();
      },
    };
  };
  const waitArrived = (inbox: Inbox, to: string) => inbox.waitFor((mail) => mail.to !== undefined && JSON.stringify(mail.to).includes(to));

  it('SMTP down when the mail is queued: nothing is lost, and it arrives once the SMTP server is up', async () => {
    const clock = new TestClock();
    const port = await freePort();
    const handle = await serverWith({ SMTP_URL: smtpAt(port) }, clock);
    const { portcullis } = handle.current;
    await portcullis.mail.outbox.enqueue(resetLikeMail('down@example.test'));
    await portcullis.mail.worker.sweep();
    const [row] = await portcullis.store.outbox.list();
    assert.equal(row?.attempts, 1, 'one attempt failed');
    assert.ok((row?.nextAttemptAt.getTime() ?? 0) > clock.now(), 'and is due again later');

    const inbox = await inboxAt(port);
    clock.advance(retryDelay(1) / 1000);
    await portcullis.mail.worker.sweep();
    await waitArrived(inbox, 'down@example.test');
    assert.deepEqual(await portcullis.store.outbox.list(), [], 'delivered rows are deleted');
    clock.advance(24 * 60 * MINUTE);
    await portcullis.mail.worker.sweep();
    assert.equal(inbox.messages.length, 1, 'sent once');
  });

  it('a Portcullis restart during the outage loses nothing: the next process sends the mail once SMTP is up', async () => {
    const clock = new TestClock();
    const port = await freePort();
    const handle = await serverWith({ SMTP_URL: smtpAt(port) }, clock);
    await handle.current.portcullis.mail.outbox.enqueue(resetLikeMail('restart@example.test'));
    await handle.current.portcullis.mail.worker.sweep();
    assert.equal((await handle.current.portcullis.store.outbox.list()).length, 1);

    await handle.restart();
    const inbox = await inboxAt(port);
    clock.advance(retryDelay(1) / 1000);
    await handle.current.portcullis.mail.worker.sweep();
    const mail = await waitArrived(inbox, 'restart@example.test');
    assert.equal(mail.subject, 'An administrator set a new password for your account');
    clock.advance(24 * 60 * MINUTE);
    await handle.current.portcullis.mail.worker.sweep();
    assert.equal(inbox.messages.length, 1, 'sent once');
    assert.deepEqual(await handle.current.portcullis.store.outbox.list(), []);
  });

  it('a mail whose link expired while SMTP was down is deleted and never sent', async () => {
    const clock = new TestClock();
    const port = await freePort();
    const handle = await serverWith({ SMTP_URL: smtpAt(port) }, clock);
    const { portcullis } = handle.current;
    await portcullis.mail.outbox.enqueue(resetLikeMail('expired@example.test', { expiresAt: new Date(clock.now() + 90_000) }));
    await portcullis.mail.worker.sweep();
    assert.equal((await portcullis.store.outbox.list()).length, 1);
    const inbox = await inboxAt(port);
    clock.advance(2 * MINUTE);
    await portcullis.mail.worker.sweep();
    assert.deepEqual(await portcullis.store.outbox.list(), [], 'the expired row is gone');
    assert.equal(inbox.messages.length, 0, 'and was never sent');
    // Already expired when queued: not even stored.
    await portcullis.mail.outbox.enqueue(resetLikeMail('late@example.test', { expiresAt: new Date(clock.now() - 1) }));
    await portcullis.mail.worker.sweep();
    assert.deepEqual(await portcullis.store.outbox.list(), []);
    assert.equal(inbox.messages.length, 0);
  });

  it(`after the last of ${MAX_ATTEMPTS} attempts the row is deleted and mail.failed is audited, without the address or the link`, async () => {
    const clock = new TestClock();
    const port = await freePort();
    const handle = await serverWith({ SMTP_URL: smtpAt(port) }, clock);
    const { portcullis } = handle.current;
    await portcullis.mail.outbox.enqueue(resetLikeMail('never@example.test'));
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      await portcullis.mail.worker.sweep();
      const rows = await portcullis.store.outbox.list();
      if (attempt < MAX_ATTEMPTS) {
        assert.equal(rows[0]?.attempts, attempt);
        assert.equal(rows[0]?.nextAttemptAt.getTime(), clock.now() + retryDelay(attempt), `back-off after attempt ${attempt}`);
        // Not due a moment before the back-off ends.
        clock.advance(retryDelay(attempt) / 1000 - 1);
        await portcullis.mail.worker.sweep();
        assert.equal((await portcullis.store.outbox.list())[0]?.attempts, attempt, 'no attempt before the back-off ends');
        clock.advance(1);
      } else {
        assert.deepEqual(rows, [], 'the row is gone after the last attempt');
      }
    }
    await portcullis.audit.flush();
    const failed = await portcullis.store.audit.list({ type: 'mail.failed' });
    assert.equal(failed.length, 1);
    assert.equal(failed[0]?.accountId, 'acct-pat');
    assert.deepEqual(failed[0]?.detail, { template: 'password-set', attempts: MAX_ATTEMPTS, reason: 'retries_exhausted' });
    assert.doesNotMatch(JSON.stringify(failed), /never@example\.test|secret-token/);
  });

  it('an SMTP server that refuses the message (550) is not retried: mail.failed at once', async () => {
    const clock = new TestClock();
    const refusing = await startInbox({ reject: true });
    cleanups.push(() => refusing.close());
    const handle = await serverWith({ SMTP_URL: refusing.url }, clock);
    const { portcullis } = handle.current;
    await portcullis.mail.outbox.enqueue(resetLikeMail('refused@example.test'));
    await portcullis.mail.worker.sweep();
    assert.deepEqual(await portcullis.store.outbox.list(), []);
    await portcullis.audit.flush();
    const [failed] = await portcullis.store.audit.list({ type: 'mail.failed' });
    assert.deepEqual(failed?.detail, { template: 'password-set', attempts: 1, reason: 'refused' });
  });

  it('the stored row holds the link sealed: its text is nowhere in the store’s file', async () => {
    const clock = new TestClock();
    const port = await freePort();
    const handle = await serverWith({ SMTP_URL: smtpAt(port) }, clock);
    const { portcullis, dataDir } = handle.current;
    await portcullis.mail.outbox.enqueue(resetLikeMail('sealed@example.test'));
    const [row] = await portcullis.store.outbox.list();
    const sealed = row?.sealedLink ?? '';
    assert.ok(sealed.startsWith('v1.'), 'sealed with the key-encryption key');
    assert.equal(portcullis.sealer.open(sealed), LINK);
    const raw = await readFile(join(dataDir, 'outbox.db'), 'utf8');
    assert.match(raw, /sealed@example\.test/, 'this is the file the row is in');
    assert.doesNotMatch(raw, /secret-token/, 'the link is not there in clear');
    assert.doesNotMatch(JSON.stringify(row), /secret-token/);
  });

  it('two instances sharing one store send each message once', async () => {
    const dir = await tempDir();
    const store = await createEmbeddedStore(dir.path);
    cleanups.push(async () => {
      await store.close();
      await dir.cleanup();
    });
    const inbox = await inboxAt();
    const clock = new TestClock();
    const first = await serverWith({ SMTP_URL: inbox.url }, clock, { options: { store } });
    const second = await serverWith({ SMTP_URL: inbox.url }, clock, { options: { store } });
    const count = 12;
    const at = new Date(clock.now());
    // Written straight to the store, so neither worker was nudged: both sweep for them at once.
    for (let i = 0; i < count; i += 1) {
      await store.outbox.insert({
        id: `shared-${i}`,
        to: `p${i}@example.test`,
        template: 'mfa-reset',
        data: { who: `P${i}`, username: `p${i}` },
        attempts: 0,
        nextAttemptAt: at,
        createdAt: at,
      });
    }
    await Promise.all([
      first.current.portcullis.mail.worker.sweep(),
      second.current.portcullis.mail.worker.sweep(),
      first.current.portcullis.mail.worker.sweep(),
    ]);
    for (let i = 0; i < count; i += 1) await waitArrived(inbox, `p${i}@example.test`);
    clock.advance(10 * MINUTE);
    await Promise.all([first.current.portcullis.mail.worker.sweep(), second.current.portcullis.mail.worker.sweep()]);
    assert.equal(inbox.messages.length, count, 'each message once');
    assert.deepEqual(await store.outbox.list(), []);
  });
});
