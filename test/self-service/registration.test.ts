/**
 * Registration with email verification (REGISTRATION=open), with a real SMTP server on loopback:
 * no account exists until the link's page is posted (a GET changes nothing), then the account
 * signs in and its tokens say email_verified true; a taken address gets a notice to its owner and
 * nothing else; the budgets per address (silent) and per caller (429); bad input.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { linkDigest } from '../../src/passwords/link-tokens.ts';
import { Browserless } from '../support/browserless.ts';
import { auditEvents } from '../support/families.ts';
import { discover, redeem, startAuthorization } from '../support/rp.ts';
import { csrfIn, mailsTo, sentTo, submitPage } from '../support/self-service.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';
import { type Inbox, linkIn, startInbox } from '../support/smtp.ts';

const SIGNUP_PASSWORD = 'a fresh river of quiet stones';

describe('registration with email verification', () => {
  let inbox: Inbox;
  let server: TestServer;
  let web: oidc.Configuration;
  let ipCounter = 0;
  const nextIp = () => `10.30.0.${++ipCounter}`;

  before(async () => {
    inbox = await startInbox();
    server = await startServer({
      env: { SMTP_URL: inbox.url, REGISTRATION: 'open', TRUST_PROXY: '127.0.0.1', LOCKOUT_SIGNUP_REQUESTS: '2', LOCKOUT_SIGNUP_IP_REQUESTS: '3' },
    });
    web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
  });
  after(async () => {
    await server.close();
    await inbox.close();
  });

  async function signUp(email: string, password = SIGNUP_PASSWORD, ip = nextIp()): Promise<Response> {
    const response = await submitPage(server, '/signup', { email, name: 'New Person', password, confirm_password: password }, ip);
    await server.portcullis.registration?.idle();
    return response;
  }

  async function verifyLink(address: string): Promise<string> {
    const mail = await inbox.waitFor((m) => sentTo(address)(m) && linkIn(m, `${server.url}/email/verify/`) !== undefined);
    return (linkIn(mail, `${server.url}/email/verify/`) as string).slice(server.url.length);
  }

  async function signInTokens(username: string, password: string) {
    const start = await startAuthorization(web, { scope: 'openid email' });
    const callback = await new Browserless(server.url).authorize(start.url.href, username, password);
    return redeem(web, callback, start);
  }

  it('creates the account only when the link is used, with email_verified true', async () => {
    const answer = await signUp('New.Person@Example.com');
    assert.equal(answer.status, 200);
    assert.match(await answer.text(), /Check your mail/);
    const link = await verifyLink('new.person@example.com');
    assert.match(link, /^\/email\/verify\/[A-Za-z0-9_-]{43}$/);
    assert.equal(await server.portcullis.accounts.findByUsername('new.person@example.com'), undefined, 'a pending sign-up is not an account');
    const pending = JSON.stringify(await server.portcullis.store.model('PendingSignup').find(linkDigest(link.split('/').at(-1) as string)));
    assert.match(pending, /argon2id/);
    assert.doesNotMatch(pending, new RegExp(SIGNUP_PASSWORD), 'the password itself is not kept');
    await assert.rejects(signInTokens('new.person@example.com', SIGNUP_PASSWORD), /form answered 401/, 'cannot sign in before the address is confirmed');

    const browser = new Browserless(server.url);
    const page = await browser.request(link);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /new\.person@example\.com/);
    assert.equal(await server.portcullis.accounts.findByUsername('new.person@example.com'), undefined, 'opening the link (a mail scanner) creates nothing');
    const created = await browser.postForm(link, { csrf: csrfIn(html) });
    assert.equal(created.status, 201, await created.clone().text());
    const account = await server.portcullis.accounts.findByUsername('new.person@example.com');
    assert.equal(account?.emailVerified, true);
    assert.equal(account?.name, 'New Person');

    const tokens = await signInTokens('new.person@example.com', SIGNUP_PASSWORD);
    const userinfo = await oidc.fetchUserInfo(web, tokens.access_token, decodeJwt(tokens.id_token as string).sub as string);
    assert.equal(userinfo.email_verified, true);
    assert.equal(userinfo.email, 'new.person@example.com');

    const twice = await browser.postForm(link, { csrf: csrfIn(html) });
    assert.equal(twice.status, 400, 'the link works once');
    assert.ok((await auditEvents(server, 'account.registered')).some((event) => event.accountId === account?.id));
  });

  it('a taken address: the same answer, a notice to its owner, no account and no link', async () => {
    const fresh = await signUp('fresh.one@example.com');
    const taken = await signUp('alice@example.com');
    assert.equal(taken.status, fresh.status);
    assert.equal(await taken.text(), await fresh.text());
    const notice = await inbox.waitFor((mail) => sentTo('alice@example.com')(mail));
    assert.match(notice.subject ?? '', /tried to sign up/);
    assert.equal(linkIn(notice, `${server.url}/email/verify/`), undefined, 'the notice carries no link');
    await verifyLink('fresh.one@example.com');
    assert.equal(await server.portcullis.accounts.findByUsername('alice@example.com'), undefined);
  });

  it('a username that looks like the address, with no email of its own: no notice to the typed address', async () => {
    await server.portcullis.accounts.create({ username: 'plain@example.com', password: PASSWORD });
    assert.equal((await signUp('plain@example.com')).status, 200);
    await signUp('plain-sentinel@example.com');
    await verifyLink('plain-sentinel@example.com');
    assert.equal(mailsTo(inbox, 'plain@example.com'), 0);
  });

  it('an address taken between sign-up and confirmation: says so and creates nothing', async () => {
    await signUp('late@example.com');
    const link = await verifyLink('late@example.com');
    await server.portcullis.accounts.create({ username: 'late-owner', email: 'late@example.com', password: PASSWORD });
    const browser = new Browserless(server.url);
    const html = await (await browser.request(link)).text();
    const refused = await browser.request(link, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrfIn(html) },
      body: '{}',
    });
    assert.equal(refused.status, 409);
    assert.equal(((await refused.json()) as { error: string }).error, 'address_taken');
    assert.equal(await server.portcullis.accounts.findByUsername('late@example.com'), undefined);
  });

  it('past the per-address budget: the same answer and no mail; past the per-caller budget: 429', async () => {
    const answers: string[] = [];
    for (let i = 0; i < 3; i += 1) answers.push(await (await signUp('budget@example.com')).text());
    assert.equal(new Set(answers).size, 1);
    await signUp('sentinel@example.com');
    await verifyLink('sentinel@example.com');
    assert.equal(mailsTo(inbox, 'budget@example.com'), 2, 'LOCKOUT_SIGNUP_REQUESTS=2 mails, then none');

    const ip = '10.31.0.1';
    for (let i = 0; i < 3; i += 1) assert.equal((await signUp(`caller-${i}@example.com`, SIGNUP_PASSWORD, ip)).status, 200);
    const refused = await signUp('caller-x@example.com', SIGNUP_PASSWORD, ip);
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
  });

  it('refuses a password the policy refuses, and bad input, with a stable code and nothing kept', async () => {
    const pending = server.portcullis.store.model('PendingSignup');
    const before = await pending.count();
    const browser = new Browserless(server.url, { 'x-forwarded-for': nextIp() });
    const { csrf } = (await (await browser.request('/signup', { headers: { accept: 'application/json' } })).json()) as { csrf: string };
    const post = (body: unknown, token = csrf) =>
      browser.request('/signup', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': token },
        body: JSON.stringify(body),
      });
    const weak = await post({ email: 'weak@example.com', name: 'Weak', password: 'short', confirm_password: 'short' });
    assert.equal(weak.status, 400);
    const body = (await weak.json()) as { error: string; violations: Array<{ code: string }> };
    assert.equal(body.error, 'password_policy');
    assert.ok(body.violations.some((violation) => violation.code === 'too_short'));
    const codes = async (response: Response) => [response.status, ((await response.json()) as { error: string }).error];
    const good = { email: 'shape@example.com', name: 'Shape', password: SIGNUP_PASSWORD, confirm_password: SIGNUP_PASSWORD };
    assert.deepEqual(await codes(await post({ ...good, email: 'not an address' })), [400, 'invalid_request']);
    assert.deepEqual(await codes(await post({ ...good, email: { $ne: '' } })), [400, 'invalid_request']);
    assert.deepEqual(await codes(await post({ ...good, admin: true })), [400, 'invalid_request']);
    assert.deepEqual(await codes(await post({ ...good, confirm_password: 'something else entirely' })), [400, 'password_mismatch']);
    assert.deepEqual(await codes(await post(good, 'x'.repeat(43))), [403, 'csrf_failed']);
    const json = { accept: 'application/json' };
    assert.deepEqual(await codes(await browser.request('/email/verify/short', { headers: json })), [400, 'link_invalid']);
    assert.deepEqual(await codes(await browser.request(`/email/verify/${'B'.repeat(43)}`, { headers: json })), [400, 'link_invalid']);
    await server.portcullis.registration?.idle();
    assert.equal(await pending.count(), before, 'nothing was kept');

    await signUp('shape-check@example.com');
    const link = await verifyLink('shape-check@example.com');
    const verifyCsrf = ((await (await browser.request(link, { headers: json })).json()) as { csrf: string }).csrf;
    const verify = (body: unknown) =>
      browser.request(link, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...json, 'x-csrf-token': verifyCsrf },
        body: JSON.stringify(body),
      });
    assert.deepEqual(await codes(await verify({ email: 'someone-else@example.com' })), [400, 'invalid_request']);
    assert.deepEqual(await codes(await verify([])), [400, 'invalid_request']);
    assert.equal(await server.portcullis.accounts.findByUsername('shape-check@example.com'), undefined, 'refused confirmations create nothing');
    assert.equal((await browser.request(link)).status, 200, 'and leave the link working');
    assert.equal(await server.portcullis.accounts.findByUsername('shape@example.com'), undefined);
  });

  it('links the sign-in page to the sign-up page', async () => {
    const { response } = await new Browserless(server.url).follow((await startAuthorization(web, { scope: 'openid' })).url.href);
    assert.match(await response.text(), /<a href="\/signup">Create an account<\/a>/);
  });
});

describe('registration closed (the default)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('answers 404 on the sign-up and verification pages', async () => {
    for (const path of ['/signup', `/email/verify/${'A'.repeat(43)}`]) {
      assert.equal((await fetch(`${server.url}${path}`)).status, 404, path);
      assert.equal((await fetch(`${server.url}${path}`, { method: 'POST' })).status, 404, path);
    }
    assert.equal(server.portcullis.registration, undefined);
  });
});
