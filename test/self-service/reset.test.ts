/**
 * Reset by email end to end, with a real SMTP server on loopback: the link arrives, works once,
 * expires, is voided by a newer one; a reset ends every session and refresh token, clears the
 * username's lockout, keeps the second factor; unknown and unverified people get the same answer
 * and no mail; the budgets per person (silent) and per address (429); the 20-way race.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { ACR_MFA } from '../../src/mfa/acr.ts';
import { backchannelClient, loopbackFetch, type Receiver, startReceiver } from '../support/backchannel.ts';
import { Browserless } from '../support/browserless.ts';
import { auditEvents, invalidGrant, signIn } from '../support/families.ts';
import { drive, enrolDirectly, TestClock, totpAt } from '../support/mfa.ts';
import { discover, redeem, startAuthorization } from '../support/rp.ts';
import { csrfIn, forgot, mailsTo, resetLinkFor, sentTo, submitPage } from '../support/self-service.ts';
import { DEFAULT_BOOTSTRAP, PASSWORD, startServer, type TestServer } from '../support/server.ts';
import { type Inbox, startInbox } from '../support/smtp.ts';

const NEW_PASSWORD = 'a fresh river of quiet stones';
const TTL_SECONDS = 30 * 60;

describe('password reset by email', () => {
  let inbox: Inbox;
  let receiver: Receiver;
  let server: TestServer;
  const clock = new TestClock();
  let web: oidc.Configuration;
  let ipCounter = 0;
  /** Each test asks from its own address, so the per-address budget is only tested where meant. */
  const nextIp = () => `10.20.${Math.floor(ipCounter / 250)}.${(ipCounter++ % 250) + 1}`;

  before(async () => {
    inbox = await startInbox();
    receiver = await startReceiver();
    server = await startServer({
      env: { SMTP_URL: inbox.url, TRUST_PROXY: '127.0.0.1', LOCKOUT_RESET_REQUESTS: '3', LOCKOUT_RESET_IP_REQUESTS: '4', MFA_POLICY: 'when_required' },
      bootstrap: { ...DEFAULT_BOOTSTRAP, clients: [...DEFAULT_BOOTSTRAP.clients, backchannelClient(receiver)] },
      options: { now: clock.now, fetch: loopbackFetch },
    });
    web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
  });
  after(async () => {
    await server.close();
    await inbox.close();
    await receiver.close();
  });

  /** Recipients of reset links received since message `index` (other notices may arrive late from earlier tests). */
  const resetMailsSince = (index: number) =>
    inbox.messages
      .slice(index)
      .filter((mail) => /\/password\/reset\//.test(mail.text ?? ''))
      .map((mail) => (mail.to && !Array.isArray(mail.to) ? mail.to.text : ''));

  const person = (username: string, emailVerified = true) =>
    server.portcullis.accounts.create({ username, email: `${username}@example.com`, emailVerified, name: username, password: PASSWORD });

  async function setPassword(link: string, password: string, browser = new Browserless(server.url)): Promise<Response> {
    return submitPage(server, link, { new_password: password, confirm_password: password }, undefined, browser);
  }

  async function signsIn(username: string, password: string): Promise<boolean> {
    const start = await startAuthorization(web, { scope: 'openid' });
    try {
      return (await new Browserless(server.url).authorize(start.url.href, username, password)).searchParams.has('code');
    } catch (error) {
      if (/form answered 401/.test(String(error))) return false;
      throw error;
    }
  }

  it('mails a link that sets a new password once; a second use is refused', async () => {
    const account = await person('rhea');
    const answer = await forgot(server, 'rhea', nextIp());
    assert.equal(answer.status, 200);
    const link = await resetLinkFor(server, inbox, 'rhea@example.com');
    assert.match(link, /^\/password\/reset\/[A-Za-z0-9_-]{43}$/, 'a 256-bit token in base64url');
    const stored = await server.portcullis.store.model('PasswordReset').findByAccountId(account.id);
    assert.equal(stored.length, 1);
    assert.ok(!JSON.stringify(stored).includes(link.split('/').at(-1) as string), 'the token itself is not stored');

    const page = await new Browserless(server.url).request(link);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /value="rhea"/, 'the page names the account for password managers');
    const done = await setPassword(link, NEW_PASSWORD);
    assert.equal(done.status, 200, await done.clone().text());
    assert.match(await done.text(), /Password changed/);
    assert.equal(await signsIn('rhea', NEW_PASSWORD), true);
    assert.equal(await signsIn('rhea', PASSWORD), false);

    const again = await new Browserless(server.url).request(link);
    assert.equal(again.status, 400);
    assert.match(await again.text(), /link_invalid/);
    const json = await fetch(`${server.url}${link}`, { headers: { accept: 'application/json' } });
    assert.equal(json.status, 400);
    assert.equal(((await json.json()) as { error: string }).error, 'link_invalid');

    const changed = await inbox.waitFor((mail) => sentTo('rhea@example.com')(mail) && /password was changed/i.test(mail.subject ?? ''));
    assert.doesNotMatch(changed.text ?? '', /\/password\/reset\//, 'the notice carries no link');
    assert.ok((await auditEvents(server, 'password.reset_requested')).some((event) => event.accountId === account.id && event.detail?.outcome === 'sent'));
    assert.ok((await auditEvents(server, 'password.reset')).some((event) => event.accountId === account.id));
  });

  it('a reset ends every session and refresh token of the person, and never signs them in', async () => {
    const account = await person('sven');
    const tokens = await signIn(server, web, 'sven');
    assert.ok(tokens.refresh_token);
    const bcl = await discover(server.url, 'bcl-app', 'bcl-app-secret-that-is-long-enough');
    await signIn(server, bcl, 'sven', new Browserless(server.url));
    assert.equal((await server.portcullis.store.model('Session').findByAccountId(account.id)).length, 2);

    await forgot(server, 'sven@example.com', nextIp());
    const resetter = new Browserless(server.url);
    const done = await setPassword(await resetLinkFor(server, inbox, 'sven@example.com'), NEW_PASSWORD, resetter);
    assert.equal(done.status, 200);
    assert.equal((await server.portcullis.store.model('Session').findByAccountId(account.id)).length, 0, 'every session ended, none made');
    await assert.rejects(oidc.refreshTokenGrant(web, tokens.refresh_token), invalidGrant);
    assert.equal(decodeJwt(await receiver.next()).sub, account.id, 'the client that asked for it got a back-channel logout');
    assert.equal(resetter.jar.get(server.portcullis.holder.current.cookieName('session')), undefined, 'the reset browser holds no issuer session');
  });

  it('clears the lockout counters of the username and keeps the second factor', async () => {
    const account = await person('tove');
    const { secret } = await enrolDirectly(server, 'tove', clock);
    const limiter = server.portcullis.lockout;
    for (let i = 0; i < 12; i += 1) await limiter.fail('login.user', { username: 'tove' });
    assert.equal((await limiter.check('login.user', { username: 'tove' })).allowed, false, 'the username is held back');

    await forgot(server, 'tove', nextIp());
    assert.equal((await setPassword(await resetLinkFor(server, inbox, 'tove@example.com'), NEW_PASSWORD)).status, 200);
    assert.equal((await limiter.check('login.user', { username: 'tove' })).allowed, true);
    assert.equal((await server.portcullis.mfa.status(account.id)).enrolled, true, 'the authenticator is still enrolled');

    const start = await startAuthorization(web, { scope: 'openid', acr_values: ACR_MFA });
    const result = await drive(new Browserless(server.url), start.url.href, { username: 'tove', password: NEW_PASSWORD, code: () => totpAt(secret, clock) });
    assert.ok(result.seen.includes('mfa'), `the next sign-in asks for the code (saw ${result.seen.join(', ')})`);
    const tokens = await redeem(web, result.callback, start);
    assert.ok(tokens.access_token);
  });

  it('answers an unknown identifier exactly like a known one, and mails nothing', async () => {
    await person('ulla');
    const before = inbox.messages.length;
    const unknown = await forgot(server, 'nobody-by-this-name', nextIp());
    const unknownEmail = await forgot(server, 'nobody@example.com', nextIp());
    const known = await forgot(server, 'ulla', nextIp());
    assert.deepEqual([unknown.status, unknownEmail.status], [known.status, known.status]);
    const body = await known.text();
    assert.equal(await unknown.text(), body);
    assert.equal(await unknownEmail.text(), body);
    await resetLinkFor(server, inbox, 'ulla@example.com');
    assert.deepEqual(resetMailsSince(before), ['ulla@example.com'], 'only the known person got a link');
  });

  it('sends nothing to an address that is not verified', async () => {
    const unverified = await person('vera', false);
    await person('walt');
    const answer = await forgot(server, 'vera', nextIp());
    assert.equal(answer.status, 200);
    await forgot(server, 'walt', nextIp());
    await resetLinkFor(server, inbox, 'walt@example.com');
    assert.equal(mailsTo(inbox, 'vera@example.com'), 0);
    assert.ok((await auditEvents(server, 'password.reset_requested')).some((e) => e.accountId === unverified.id && e.detail?.outcome === 'no_verified_email'));
  });

  it('refuses an expired link', async () => {
    await person('xena');
    await forgot(server, 'xena', nextIp());
    const link = await resetLinkFor(server, inbox, 'xena@example.com');
    const browser = new Browserless(server.url);
    const page = await browser.request(link);
    assert.equal(page.status, 200);
    const csrf = csrfIn(await page.text());
    clock.advance(TTL_SECONDS + 1);
    const late = await browser.postForm(link, { csrf, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD });
    assert.equal(late.status, 400);
    assert.match(await late.text(), /link_invalid/);
    assert.equal((await new Browserless(server.url).request(link)).status, 400);
    assert.equal(await signsIn('xena', PASSWORD), true, 'the password is unchanged');
  });

  it('a link stops working when the person’s address changes', async () => {
    const account = await person('gus');
    await forgot(server, 'gus', nextIp());
    const link = await resetLinkFor(server, inbox, 'gus@example.com');
    await server.portcullis.store.accounts.update(account.id, { email: 'gus.new@example.com' });
    assert.equal((await new Browserless(server.url).request(link)).status, 400);
  });

  it('a new link voids the older one', async () => {
    await person('yann');
    await forgot(server, 'yann', nextIp());
    const first = await resetLinkFor(server, inbox, 'yann@example.com');
    await forgot(server, 'yann', nextIp());
    const second = await resetLinkFor(server, inbox, 'yann@example.com');
    assert.notEqual(first, second);
    assert.equal((await new Browserless(server.url).request(first)).status, 400);
    assert.equal((await setPassword(second, NEW_PASSWORD)).status, 200);
  });

  it('past the per-person budget: the same answer and no mail', async () => {
    const account = await person('zora');
    await person('abel');
    const answers: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const answer = await forgot(server, 'zora', nextIp());
      assert.equal(answer.status, 200);
      answers.push(await answer.text());
    }
    assert.equal(new Set(answers).size, 1, 'every answer the same');
    await forgot(server, 'abel', nextIp());
    await resetLinkFor(server, inbox, 'abel@example.com');
    assert.equal(mailsTo(inbox, 'zora@example.com'), 3, 'LOCKOUT_RESET_REQUESTS=3 mails, then none');
    assert.ok((await auditEvents(server, 'password.reset_requested')).some((e) => e.accountId === account.id && e.detail?.outcome === 'throttled'));
  });

  it('links sent because a breached password was used share the per-person budget with asked-for ones', async () => {
    const account = await person('wanda');
    await person('ezra');
    // Whoever holds a breached password could otherwise mail the person a link at every attempt.
    for (let i = 0; i < 2; i += 1) await server.portcullis.passwordReset?.sendLink(account, 'compromised');
    await forgot(server, 'wanda', nextIp());
    await server.portcullis.passwordReset?.sendLink(account, 'compromised');
    await forgot(server, 'ezra', nextIp());
    await resetLinkFor(server, inbox, 'ezra@example.com');
    assert.equal(mailsTo(inbox, 'wanda@example.com'), 3, 'LOCKOUT_RESET_REQUESTS=3 links whatever the reason, then none');
    const throttled = (await auditEvents(server, 'password.reset_requested')).filter((e) => e.accountId === account.id && e.detail?.outcome === 'throttled');
    assert.deepEqual(
      throttled.map((e) => e.detail?.reason),
      ['compromised'],
    );
  });

  it('past the per-address budget: 429 with Retry-After, whoever is asked for', async () => {
    const ip = '10.99.0.1';
    for (let i = 0; i < 4; i += 1) assert.equal((await forgot(server, `someone-${i}`, ip)).status, 200);
    const refused = await forgot(server, 'someone-else', ip);
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
  });

  it('a password the policy refuses lists the rules and leaves the link working', async () => {
    await person('bert');
    await forgot(server, 'bert', nextIp());
    const link = await resetLinkFor(server, inbox, 'bert@example.com');
    const browser = new Browserless(server.url);
    const csrf = csrfIn(await (await browser.request(link)).text());
    const refused = await browser.request(link, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify({ new_password: 'short', confirm_password: 'short' }),
    });
    assert.equal(refused.status, 400);
    const body = (await refused.json()) as { error: string; violations: Array<{ code: string }> };
    assert.equal(body.error, 'password_policy');
    assert.ok(body.violations.some((violation) => violation.code === 'too_short'));
    const page = await browser.postForm(link, { csrf, new_password: 'short', confirm_password: 'short' });
    assert.equal(page.status, 400);
    assert.match(await page.text(), /id="violations"/);
    assert.equal((await browser.postForm(link, { csrf, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD })).status, 200);
  });

  it('twenty requests racing with one link: exactly one sets its password', async () => {
    await person('cleo');
    await forgot(server, 'cleo', nextIp());
    const link = await resetLinkFor(server, inbox, 'cleo@example.com');
    const browsers = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const browser = new Browserless(server.url);
        return { browser, csrf: csrfIn(await (await browser.request(link)).text()) };
      }),
    );
    const answers = await Promise.all(
      browsers.map(({ browser, csrf }, i) => browser.postForm(link, { csrf, new_password: `${NEW_PASSWORD} ${i}`, confirm_password: `${NEW_PASSWORD} ${i}` })),
    );
    const statuses = answers.map((answer) => answer.status);
    assert.equal(statuses.filter((status) => status === 200).length, 1, statuses.join(','));
    assert.equal(statuses.filter((status) => status === 400).length, 19);
    const winner = statuses.indexOf(200);
    assert.equal(await signsIn('cleo', `${NEW_PASSWORD} ${winner}`), true, 'the winner’s password is the one set');
  });

  it('twenty callers racing in the domain with one token: exactly one completes', async () => {
    await person('dora');
    await forgot(server, 'dora', nextIp());
    const token = (await resetLinkFor(server, inbox, 'dora@example.com')).split('/').at(-1) as string;
    const reset = server.portcullis.passwordReset;
    assert.ok(reset);
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => reset.complete(token, `${NEW_PASSWORD} number ${i}`)));
    assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1);
    for (const outcome of outcomes) if (outcome.status === 'rejected') assert.equal((outcome.reason as { code?: string }).code, 'link_invalid');
  });

  it('answers the JSON caller the same, and refuses bad input with a stable code and no mail', async () => {
    await person('emil');
    const before = inbox.messages.length;
    const browser = new Browserless(server.url, { 'x-forwarded-for': nextIp() });
    const { csrf } = (await (await browser.request('/password/forgot', { headers: { accept: 'application/json' } })).json()) as { csrf: string };
    const post = (body: string, type = 'application/json', token = csrf) =>
      browser.request('/password/forgot', { method: 'POST', headers: { 'content-type': type, accept: 'application/json', 'x-csrf-token': token }, body });
    const ok = await post(JSON.stringify({ identifier: 'emil' }));
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { status: string }).status, 'check_your_mail');
    await server.portcullis.passwordReset?.idle();
    const link = await resetLinkFor(server, inbox, 'emil@example.com');

    const codes = async (response: Response) => [response.status, ((await response.json()) as { error: string }).error];
    assert.deepEqual(await codes(await post(JSON.stringify({ identifier: { $ne: '' } }))), [400, 'invalid_request']);
    assert.deepEqual(await codes(await post(JSON.stringify({ identifier: 'emil', extra: 1 }))), [400, 'invalid_request']);
    assert.deepEqual(await codes(await post(JSON.stringify({ identifier: '' }))), [400, 'invalid_request']);
    assert.deepEqual(await codes(await post('identifier=emil', 'text/plain')), [415, 'unsupported_media_type']);
    assert.deepEqual(await codes(await post(JSON.stringify({ identifier: 'emil' }), 'application/json', 'x'.repeat(43))), [403, 'csrf_failed']);
    const json = { accept: 'application/json' };
    assert.deepEqual(await codes(await browser.request('/password/reset/not-a-token', { headers: json })), [400, 'link_invalid']);
    assert.deepEqual(await codes(await browser.request(`/password/reset/${'A'.repeat(43)}`, { headers: json })), [400, 'link_invalid']);
    const bogus = await browser.request(`/password/reset/${'A'.repeat(43)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...json, 'x-csrf-token': csrf },
      body: JSON.stringify({ new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD }),
    });
    assert.equal(bogus.status, 403, 'a token for another page is refused');
    const linkToken = ((await (await browser.request(link, { headers: json })).json()) as { csrf: string }).csrf;
    const onLink = (body: unknown) =>
      browser.request(link, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...json, 'x-csrf-token': linkToken },
        body: JSON.stringify(body),
      });
    assert.deepEqual(await codes(await onLink({ new_password: { $gt: '' }, confirm_password: 'x' })), [400, 'invalid_request']);
    assert.deepEqual(await codes(await onLink({ new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD, username: 'alice', extra: true })), [
      400,
      'invalid_request',
    ]);
    assert.deepEqual(await codes(await onLink({ new_password: NEW_PASSWORD, confirm_password: 'not the same at all' })), [400, 'password_mismatch']);
    assert.deepEqual(await codes(await onLink({ new_password: 'x'.repeat(2000), confirm_password: 'x'.repeat(2000) })), [400, 'invalid_request']);
    assert.equal((await browser.request(link)).status, 200, 'the link still works after every refusal');
    assert.equal(await signsIn('emil', PASSWORD), true, 'the password is unchanged');
    await server.portcullis.passwordReset?.idle();
    assert.deepEqual(resetMailsSince(before), ['emil@example.com'], 'bad requests sent nothing');
  });

  it('links the sign-in page to the forgotten-password page', async () => {
    const start = await startAuthorization(web, { scope: 'openid' });
    const { response } = await new Browserless(server.url).follow(start.url.href);
    const html = await response.text();
    assert.match(html, /<a href="\/password\/forgot">Forgot your password\?<\/a>/);
    assert.doesNotMatch(html, /Create an account/, 'registration is closed by default');
  });
});

describe('password reset switched off', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ env: { PASSWORD_RESET: 'off' } });
  });
  after(() => server.close());

  it('answers 404 on its pages and shows no link on the sign-in page', async () => {
    for (const path of ['/password/forgot', `/password/reset/${'A'.repeat(43)}`]) {
      assert.equal((await fetch(`${server.url}${path}`)).status, 404, path);
      assert.equal((await fetch(`${server.url}${path}`, { method: 'POST' })).status, 404, path);
    }
    const web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const { response } = await new Browserless(server.url).follow((await startAuthorization(web, { scope: 'openid' })).url.href);
    assert.doesNotMatch(await response.text(), /Forgot your password/);
    assert.equal(server.portcullis.passwordReset, undefined);
  });
});
