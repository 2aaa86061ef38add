/**
 * The notices a person receives when their sign-in changes, end to end against a real SMTP server
 * on loopback: adding or removing a second factor themselves; an administrator resetting their
 * factors (one notice, not two) or changing their email address (told at the old address).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ParsedMail } from 'mailparser';
import { enrolDirectly, TestClock } from '../support/mfa.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { type Inbox, startInbox } from '../support/smtp.ts';

const TOKEN = 'operator-token-that-is-long-enough-0123456789';

const recipients = (mail: ParsedMail) => (mail.to && !Array.isArray(mail.to) ? mail.to.value.map((to) => to.address) : []);

describe('account notices', () => {
  let server: TestServer;
  let inbox: Inbox;
  const clock = new TestClock();
  const api = (path: string, init: { method: string; json?: unknown }) =>
    fetch(`${server.url}/admin/v1${path}`, {
      method: init.method,
      ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
      headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json', 'content-type': 'application/json' },
    });
  const idOf = async (username: string) => {
    const account = await server.portcullis.accounts.findByUsername(username);
    assert.ok(account);
    return account.id;
  };
  /** Everything in the outbox has been tried (the audit subscriber that queues a notice finished first). */
  const settle = async () => {
    await server.portcullis.audit.flush();
    await server.portcullis.mail.worker.sweep();
  };

  before(async () => {
    inbox = await startInbox();
    server = await startServer({ env: { SMTP_URL: inbox.url, OPERATOR_TOKEN: TOKEN }, options: { now: clock.now } });
  });
  after(async () => {
    await server.close();
    await inbox.close();
  });

  it('setting up an authenticator app sends "a second factor was added", with no link to click', async () => {
    await enrolDirectly(server, 'alice', clock);
    const mail = await inbox.waitFor((m) => m.subject === 'A second factor was added to your account');
    assert.deepEqual(recipients(mail), ['alice@example.com']);
    assert.match(mail.text ?? '', /Hello Alice Example,/);
    assert.match(mail.text ?? '', /an authenticator app can now be used to sign in/);
    assert.doesNotMatch(`${mail.text}${mail.html}`, /https?:\/\//);
  });

  it('removing their own factors sends "a second factor was removed"', async () => {
    await server.portcullis.mfa.remove(await idOf('alice'));
    const mail = await inbox.waitFor((m) => m.subject === 'A second factor was removed from your account');
    assert.deepEqual(recipients(mail), ['alice@example.com']);
    assert.match(mail.text ?? '', /an authenticator app and backup codes no longer work/);
  });

  it('an administrator resetting the factors sends the reset notice only, not a second one', async () => {
    await enrolDirectly(server, 'bob', clock);
    await inbox.waitFor((m) => m.subject === 'A second factor was added to your account' && recipients(m).includes('bob@example.com'));
    const before = inbox.messages.length;
    const response = await api(`/users/${await idOf('bob')}/mfa`, { method: 'DELETE' });
    assert.equal(response.status, 204);
    const mail = await inbox.waitFor((m) => m.subject === 'Your two-step verification was reset');
    assert.deepEqual(recipients(mail), ['bob@example.com']);
    await settle();
    assert.equal(inbox.messages.length, before + 1, 'one notice for one reset');
  });

  it('an administrator changing the email tells the old address, and says nothing to the new one', async () => {
    const id = await idOf('bob');
    const response = await api(`/users/${id}`, { method: 'PATCH', json: { email: 'robert@example.org' } });
    assert.equal(response.status, 200);
    const mail = await inbox.waitFor((m) => m.subject === 'The email address of your account was changed');
    assert.deepEqual(recipients(mail), ['bob@example.com']);
    assert.match(mail.text ?? '', /no longer comes to this address/);
    assert.doesNotMatch(`${mail.text}${mail.html}`, /robert@example\.org/, 'the new address is not shown to the old one');
    await settle();
    assert.ok(!inbox.messages.some((m) => recipients(m).includes('robert@example.org')));
    // A change that keeps the address sends nothing.
    const before = inbox.messages.length;
    assert.equal((await api(`/users/${id}`, { method: 'PATCH', json: { email: 'robert@example.org', name: 'Robert' } })).status, 200);
    await settle();
    assert.equal(inbox.messages.length, before);
  });
});
