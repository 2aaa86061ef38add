/**
 * /account/profile over HTTP: the name changes at once; the email changes only when the link
 * mailed to the NEW address is used (GET shows a button, POST uses it once), the old address is
 * told, and until then the account keeps its old address and its verified flag. Bad input is a
 * 400 with a stable code and writes nothing; every POST checks its CSRF token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Browserless } from '../support/browserless.ts';
import { auditEvents } from '../support/families.ts';
import { csrfIn, sentTo } from '../support/self-service.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';
import { type Inbox, linkIn, startInbox } from '../support/smtp.ts';

const json = { accept: 'application/json' };

describe('profile: name and email change', () => {
  let inbox: Inbox;
  let server: TestServer;

  before(async () => {
    inbox = await startInbox();
    server = await startServer({ env: { SMTP_URL: inbox.url } });
  });
  after(async () => {
    await server?.close();
    await inbox?.close();
  });

  async function person(username: string, email = `${username}@example.com`) {
    const account = await server.portcullis.accounts.create({ username, email, emailVerified: true, name: `${username} Example`, password: PASSWORD });
    const browser = new Browserless(server.url);
    const html = await browser.authorizeUntilPage(`${server.url}/account/profile`, username, PASSWORD);
    assert.match(html, /Your profile/);
    return { account, browser, csrf: csrfIn(html) };
  }

  const reload = async (id: string) => {
    const found = await server.portcullis.accounts.findById(id);
    assert.ok(found);
    return found;
  };

  async function confirmLinkTo(address: string): Promise<string> {
    const mail = await inbox.waitFor((m) => sentTo(address)(m) && linkIn(m, `${server.url}/account/email/confirm/`) !== undefined);
    const link = linkIn(mail, `${server.url}/account/email/confirm/`);
    assert.ok(link);
    return link.slice(server.url.length);
  }

  it('shows the profile as a page and as JSON at the same address', async () => {
    const { browser } = await person('pia');
    const answer = await browser.request('/account/profile', { headers: json });
    assert.equal(answer.status, 200);
    const body = (await answer.json()) as Record<string, unknown>;
    assert.equal(body.username, 'pia');
    assert.equal(body.name, 'pia Example');
    assert.equal(body.email, 'pia@example.com');
    assert.equal(body.email_verified, true);
    assert.equal(body.pending_email, null);
    assert.match(String(body.csrf_token), /^[A-Za-z0-9_-]{43}$/);
  });

  it('changes the name from the form, and audits it', async () => {
    const { account, browser, csrf } = await person('quinn');
    const answer = await browser.postForm('/account/profile', { csrf, name: '  Quinn Q. Public ' });
    assert.equal(answer.status, 303);
    assert.equal(answer.headers.get('location'), '/account/profile?done=name');
    assert.equal((await reload(account.id)).name, 'Quinn Q. Public');
    assert.ok((await auditEvents(server, 'account.profile_updated')).some((event) => event.accountId === account.id));
  });

  it('refuses a bad name or address with 400 and a stable code, writing nothing', async () => {
    const { account, browser, csrf } = await person('rae');
    const cases: Array<[string, Record<string, string>, string]> = [
      ['/account/profile', { name: 'Rae\u0007Bell' }, 'invalid_name'],
      ['/account/profile', { name: 'Rae\u202eevil' }, 'invalid_name'],
      ['/account/profile', { name: 'x'.repeat(129) }, 'invalid_name'],
      ['/account/profile', { name: '   ' }, 'invalid_name'],
      ['/account/profile/email', { email: 'not an address' }, 'invalid_email'],
      ['/account/profile/email', { email: `${'a'.repeat(250)}@example.com` }, 'invalid_email'],
      ['/account/profile/email', { email: 'RAE@example.com' }, 'same_email'],
    ];
    for (const [path, fields, code] of cases) {
      const answer = await browser.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify(fields),
      });
      assert.equal(answer.status, 400, `${path} ${JSON.stringify(fields)}`);
      assert.equal(((await answer.json()) as { error: string }).error, code, JSON.stringify(fields));
    }
    const form = await browser.postForm('/account/profile', { csrf, name: 'Rae\u0000' });
    assert.equal(form.status, 400, 'the form shows the page again with the problem');
    assert.match(await form.text(), /role="alert"/);
    const unknown = await browser.postForm('/account/profile', { csrf, name: 'Rae', admin: 'true' });
    assert.equal(unknown.status, 400);
    const after = await reload(account.id);
    assert.equal(after.name, 'rae Example');
    assert.equal(after.email, 'rae@example.com');
    assert.equal(((await browser.request('/account/profile', { headers: json }).then((r) => r.json())) as { pending_email: unknown }).pending_email, null);
  });

  it('refuses every profile POST without its CSRF token', async () => {
    const { account, browser, csrf } = await person('sol');
    assert.equal((await browser.postForm('/account/profile', { name: 'Changed' })).status, 403);
    assert.equal((await browser.postForm('/account/profile/email', { email: 'sol.new@example.com' })).status, 403);
    assert.equal((await reload(account.id)).name, 'sol Example');
    // A real link, confirmed without the page's token, is refused too and stays usable.
    assert.equal((await browser.postForm('/account/profile/email', { csrf, email: 'sol.new@example.com' })).status, 303);
    const link = await confirmLinkTo('sol.new@example.com');
    assert.equal((await browser.postForm(link, {})).status, 403);
    assert.equal((await reload(account.id)).email, 'sol@example.com');
  });

  it('changes the email only when the link sent to the new address is used, and tells the old one', async () => {
    const { account, browser, csrf } = await person('tess');
    const asked = await browser.postForm('/account/profile/email', { csrf, email: 'Tess.New@Example.org' });
    assert.equal(asked.status, 303);
    assert.equal(asked.headers.get('location'), '/account/profile?done=email_sent');

    const link = await confirmLinkTo('tess.new@example.org');
    const notice = await inbox.waitFor(sentTo('tess@example.com'));
    assert.match(notice.subject ?? '', /change/i);
    assert.match(notice.text ?? '', /tess\.new@example\.org/, 'the old address is told which address was asked for');
    assert.equal(linkIn(notice, `${server.url}/account/email/confirm/`), undefined, 'the old address gets no link');

    let now = await reload(account.id);
    assert.equal(now.email, 'tess@example.com', 'nothing changes before the link is used');
    assert.equal(now.emailVerified, true);
    const pending = (await (await browser.request('/account/profile', { headers: json })).json()) as { pending_email: string };
    assert.equal(pending.pending_email, 'tess.new@example.org');

    // Another browser (the phone that reads the mail): GET changes nothing, the button does.
    const phone = new Browserless(server.url);
    const shown = await phone.request(link);
    assert.equal(shown.status, 200);
    const page = await shown.text();
    assert.match(page, /tess\.new@example\.org/);
    assert.equal((await reload(account.id)).email, 'tess@example.com', 'opening the link changes nothing');
    const used = await phone.postForm(link, { csrf: csrfIn(page) });
    assert.equal(used.status, 200, await used.clone().text());
    now = await reload(account.id);
    assert.equal(now.email, 'tess.new@example.org');
    assert.equal(now.emailVerified, true);
    const changed = await inbox.waitFor(sentTo('tess@example.com'));
    assert.match(changed.subject ?? '', /was changed/);

    const again = await phone.postForm(link, { csrf: csrfIn(page) });
    assert.equal(again.status, 400, 'a link works once');
    assert.equal((await phone.request(link)).status, 400);
    assert.ok((await auditEvents(server, 'account.email_change_requested')).some((event) => event.accountId === account.id));
    assert.ok((await auditEvents(server, 'account.email_changed')).some((event) => event.accountId === account.id));
  });

  it('answers 409 address_taken when the address was taken before the link was used, changing nothing', async () => {
    const { account, browser, csrf } = await person('uma');
    assert.equal((await browser.postForm('/account/profile/email', { csrf, email: 'shared@example.net' })).status, 303);
    const link = await confirmLinkTo('shared@example.net');
    await server.portcullis.accounts.create({ username: 'vic', email: 'shared@example.net', password: PASSWORD });
    const page = await (await browser.request(link)).text();
    const used = await browser.request(link, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrfIn(page), accept: 'application/json' },
      body: '{}',
    });
    assert.equal(used.status, 409);
    assert.equal(((await used.json()) as { error: string }).error, 'address_taken');
    const now = await reload(account.id);
    assert.equal(now.email, 'uma@example.com');
    assert.equal(now.emailVerified, true);
  });

  it('a newer request voids the older link', async () => {
    const { account, browser, csrf } = await person('wren');
    assert.equal((await browser.postForm('/account/profile/email', { csrf, email: 'wren.one@example.com' })).status, 303);
    const first = await confirmLinkTo('wren.one@example.com');
    assert.equal((await browser.postForm('/account/profile/email', { csrf, email: 'wren.two@example.com' })).status, 303);
    await confirmLinkTo('wren.two@example.com');
    assert.equal((await browser.request(first)).status, 400);
    assert.equal((await reload(account.id)).email, 'wren@example.com');
  });

  it('mails verification links for one person at most LOCKOUT_RESET_REQUESTS times an hour, then answers 429', async () => {
    const { browser, csrf } = await person('yara');
    // A signed-in person chooses where the link goes: without a budget the console would mail any address without end.
    for (let i = 1; i <= 5; i += 1) {
      assert.equal((await browser.postForm('/account/profile/email', { csrf, email: `yara.${i}@example.com` })).status, 303);
    }
    const refused = await browser.request('/account/profile/email', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ csrf, email: 'yara.6@example.com' }).toString(),
    });
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.equal(((await refused.json()) as { error: string }).error, 'too_many_attempts');
    await confirmLinkTo('yara.5@example.com');
    assert.equal(inbox.messages.filter(sentTo('yara.6@example.com')).length, 0, 'no mail past the budget');
  });
});
