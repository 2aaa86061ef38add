/**
 * An invitation (POST /admin/v1/users with "invite": true): the person is created with no
 * password anyone knows, mailed a reset link, sets their password on the reset page and signs in.
 * With PASSWORD_RESET=off an invitation is refused (invite_unavailable).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Browserless } from '../support/browserless.ts';
import { openLoginForm } from '../support/login-form.ts';
import { discover, startAuthorization } from '../support/rp.ts';
import { submitPage } from '../support/self-service.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { type Inbox, linkIn, startInbox } from '../support/smtp.ts';

const TOKEN = 'operator-token-that-is-long-enough-0123456789';
const CHOSEN = 'a fresh river of quiet stones';

const admin = (server: TestServer, body: unknown) =>
  fetch(`${server.url}/admin/v1/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('admin invitations', () => {
  let inbox: Inbox;
  let server: TestServer;
  before(async () => {
    inbox = await startInbox();
    server = await startServer({ env: { SMTP_URL: inbox.url, OPERATOR_TOKEN: TOKEN } });
  });
  after(async () => {
    await server.close();
    await inbox.close();
  });

  it('invites by mail; the person chooses a password through the reset page and signs in', async () => {
    const created = await admin(server, { username: 'ines', email: 'ines@example.com', name: 'Ines', invite: true });
    assert.equal(created.status, 201, await created.clone().text());
    const view = (await created.json()) as { id: string; email_verified: boolean };
    const mail = await inbox.waitFor((m) => /invited/i.test(m.subject ?? ''));
    assert.match(mail.text ?? '', /ines/);
    const link = linkIn(mail, `${server.url}/password/reset/`)?.slice(server.url.length);
    assert.ok(link, 'the invitation carries a reset link');

    const before = await (await openLoginForm(server.url)).attempt('ines', CHOSEN, { json: true });
    assert.equal(before.status, 401, 'nobody can sign in before the password is chosen');

    const done = await submitPage(server, link, { new_password: CHOSEN, confirm_password: CHOSEN });
    assert.equal(done.status, 200, await done.clone().text());
    const web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const callback = await new Browserless(server.url).authorize((await startAuthorization(web, { scope: 'openid' })).url.href, 'ines', CHOSEN);
    assert.ok(callback.searchParams.has('code'));
    assert.equal((await server.portcullis.accounts.findById(view.id))?.emailVerified, true);
  });

  it('an invited person’s unusable password costs a sign-in attempt what any other does', async () => {
    const created = await admin(server, { username: 'jonas', email: 'jonas@example.com', invite: true });
    assert.equal(created.status, 201);
    const account = await server.portcullis.accounts.findByUsername('jonas');
    assert.match(account?.passwordHash ?? '', /^\$argon2id\$/, 'a real argon2id hash (of a secret nobody kept), not an unreadable marker');
  });
});

describe('admin invitations with reset off', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ env: { PASSWORD_RESET: 'off', OPERATOR_TOKEN: TOKEN } });
  });
  after(() => server.close());

  it('refuses them with invite_unavailable and creates no one', async () => {
    const refused = await admin(server, { username: 'kai', email: 'kai@example.com', invite: true });
    assert.equal(refused.status, 400);
    assert.equal(((await refused.json()) as { error: string }).error, 'invite_unavailable');
    assert.equal(await server.portcullis.accounts.findByUsername('kai'), undefined);
  });
});
