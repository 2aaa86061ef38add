/**
 * The breach check at sign-in, over HTTP, against the loopback fake of the range API and a
 * loopback SMTP inbox: the verdict is taken at the password step and acted on only after every
 * factor; with a second factor the person replaces the password inside the interaction (full
 * policy) and goes on to the client; without one the sign-in is refused and a link is mailed.
 * The API down at sign-in fails open; a person is looked up at most once a day.
 * (The same flow in Chromium: breach-sign-in.browser.test.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Browserless } from '../support/browserless.ts';
import { auditEvents } from '../support/families.ts';
import { enrolDirectly, TestClock, totpAt } from '../support/mfa.ts';
import { type FakePwned, sha1Hex, startPwned } from '../support/pwned.ts';
import { discover, redeem, startAuthorization } from '../support/rp.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { type Inbox, linkIn, startInbox } from '../support/smtp.ts';

const LEAKED = 'a leaked passphrase from 2019';
const ALSO_LEAKED = 'another leaked passphrase 2020';
/** Asked for only while the API is down (a range fetched earlier would answer from the cache). */
const LEAKED_UNSEEN = 'a third leaked passphrase 2021';
const CLEAN = 'my own unleaked passphrase 42';
const CHOSEN = 'a brand new passphrase nobody knows 7';

const field = (html: string, pattern: RegExp) => pattern.exec(html)?.[1];

describe('the breach check at sign-in', () => {
  let server: TestServer;
  let pwned: FakePwned;
  let inbox: Inbox;
  const clock = new TestClock();
  let web: Awaited<ReturnType<typeof discover>>;

  before(async () => {
    pwned = await startPwned({ [LEAKED]: 31, [ALSO_LEAKED]: 5, [LEAKED_UNSEEN]: 8 });
    inbox = await startInbox();
    server = await startServer({
      env: { PASSWORD_BREACH_CHECK: 'on', PASSWORD_BREACH_API: pwned.url, SMTP_URL: inbox.url },
      options: { now: clock.now },
    });
    web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
  });
  after(async () => {
    await server?.close();
    await inbox?.close();
    await pwned?.close();
  });
  beforeEach(() => {
    pwned.mode = 'up';
  });

  const person = (username: string, password = LEAKED) =>
    server.portcullis.accounts.create({ username, password, email: `${username}@example.com`, emailVerified: true });

  /** What a sign-in that did not get past the second factor must leave alone. */
  async function accountState(id: string) {
    const account = await server.portcullis.accounts.findById(id);
    const events = (await server.portcullis.store.audit.list({ accountId: id })).filter((event) => event.type.startsWith('password.'));
    return JSON.stringify({ account, events, mails: inbox.messages.length });
  }

  async function openSignIn(browser: Browserless, params: Record<string, string> = {}) {
    const start = await startAuthorization(web, params);
    const { response } = await browser.follow(start.url.href);
    const html = await response.text();
    const csrf = field(html, /name="csrf" value="([^"]+)"/) as string;
    const uid = field(html, /\/interaction\/([A-Za-z0-9_-]+)\//) as string;
    assert.ok(csrf && uid, 'the sign-in form');
    return { start, csrf, uid };
  }

  async function signIn(username: string, password: string, params: Record<string, string> = {}) {
    const browser = new Browserless(server.url);
    const opened = await openSignIn(browser, params);
    const posted = await browser.postForm(`/interaction/${opened.uid}/login`, { csrf: opened.csrf, username, password });
    return { browser, ...opened, posted, location: posted.headers.get('location') ?? '' };
  }

  /** Consent, then the client's callback; the code is redeemed with openid-client. */
  async function toClient(browser: Browserless, location: string, start: Awaited<ReturnType<typeof startAuthorization>>) {
    let { response, url } = await browser.follow(location);
    if (url.startsWith(server.url)) {
      const html = await response.text();
      const csrf = field(html, /name="csrf" value="([^"]+)"/) as string;
      const uid = field(html, /\/interaction\/([A-Za-z0-9_-]+)\/confirm/);
      assert.ok(uid, `the consent page: ${html.slice(0, 300)}`);
      const confirmed = await browser.postForm(`/interaction/${uid}/confirm`, { csrf });
      ({ url } = await browser.follow(confirmed.headers.get('location') as string));
    }
    const callback = new URL(url);
    assert.equal(callback.origin + callback.pathname, 'http://127.0.0.1:9999/callback');
    return redeem(web, callback, start);
  }

  it('a breached password with TOTP: after the code, the change step (full policy), then the client gets its code', async () => {
    const tess = await person('tess');
    const { secret } = await enrolDirectly(server, 'tess', clock);
    const { browser, uid, csrf, posted, location, start } = await signIn('tess', LEAKED);
    assert.equal(posted.status, 303);
    assert.equal(location, `/interaction/${uid}/mfa`, 'the second factor first');
    assert.equal((await server.portcullis.accounts.findById(tess.id))?.passwordCompromisedAt, undefined, 'nothing marked before the code');

    const coded = await browser.postForm(`/interaction/${uid}/mfa`, { csrf, code: await totpAt(secret, clock) });
    assert.equal(coded.status, 303, (await coded.clone().text()).slice(0, 300));
    assert.equal(coded.headers.get('location'), `/interaction/${uid}/new-password`);
    const marked = await server.portcullis.accounts.findById(tess.id);
    assert.ok(marked?.passwordCompromisedAt instanceof Date, 'marked compromised once every factor was verified');
    const compromised = (await auditEvents(server, 'password.compromised')).filter((event) => event.accountId === tess.id);
    assert.equal(compromised.length, 1);
    assert.equal(compromised[0]?.detail, undefined, 'identifiers only');
    assert.ok(!JSON.stringify(compromised).includes(sha1Hex(LEAKED).slice(0, 5)), 'no password data in the audit');

    const page = await (await browser.request(`/interaction/${uid}/new-password`)).text();
    assert.match(page, /appeared in a data breach/);
    for (const [candidate, reason] of [
      [ALSO_LEAKED, /data breach/],
      [LEAKED, /not used before|data breach/],
      ['short', /at least/],
    ] as const) {
      const refused = await browser.postForm(`/interaction/${uid}/new-password`, { csrf, new_password: candidate, confirm_password: candidate });
      assert.equal(refused.status, 400, candidate);
      assert.match(await refused.text(), reason, candidate);
    }
    assert.equal((await server.portcullis.accounts.authenticate('tess', LEAKED)).ok, true, 'refusals wrote nothing');

    const changed = await browser.postForm(`/interaction/${uid}/new-password`, { csrf, new_password: CHOSEN, confirm_password: CHOSEN });
    assert.equal(changed.status, 303, (await changed.clone().text()).slice(0, 300));
    const tokens = await toClient(browser, changed.headers.get('location') as string, start);
    assert.deepEqual(tokens.claims()?.amr, ['pwd', 'otp', 'mfa'], 'a sign-in with the second factor');
    const after = await server.portcullis.accounts.findById(tess.id);
    assert.equal(after?.passwordCompromisedAt, undefined, 'the mark is cleared by the new password');
    assert.equal((await server.portcullis.accounts.authenticate('tess', CHOSEN)).ok, true);
    assert.equal((await server.portcullis.accounts.authenticate('tess', LEAKED)).ok, false);
    const change = (await auditEvents(server, 'password.changed')).find((event) => event.accountId === tess.id);
    assert.equal(change?.detail?.reason, 'compromised');
  });

  it('the verdict waits for the second factor: a wrong code after a breached password changes nothing on the account', async () => {
    const walt = await person('walt');
    const { secret } = await enrolDirectly(server, 'walt', clock);
    const before = await accountState(walt.id);
    const { browser, uid, csrf, location } = await signIn('walt', LEAKED);
    assert.equal(location, `/interaction/${uid}/mfa`);
    const wrong = await browser.postForm(`/interaction/${uid}/mfa`, { csrf, code: (await totpAt(secret, clock)) === '000000' ? '111111' : '000000' });
    assert.equal(wrong.status, 401);
    await server.portcullis.audit.flush();
    assert.equal(await accountState(walt.id), before, 'no mark, no lookup recorded, no mail, no audit');
    // The verdict is still waiting in the interaction: the right code leads to the change step.
    const right = await browser.postForm(`/interaction/${uid}/mfa`, { csrf, code: await totpAt(secret, clock) });
    assert.equal(right.headers.get('location'), `/interaction/${uid}/new-password`);
  });

  it('a breached password without a second factor: refused, a link goes to the verified address, and the next sign-in goes the same way without a lookup', async () => {
    const nora = await person('nora');
    const { posted } = await signIn('nora', LEAKED);
    const html = await posted.text();
    assert.equal(posted.status, 403, html.slice(0, 300));
    assert.match(html, /data breach/);
    assert.match(html, /sent .*verified email address/);
    assert.equal((await server.portcullis.sessions.records(nora.id)).length, 0, 'no session');
    const mail = await inbox.waitFor((message) => message.to !== undefined && JSON.stringify(message.to).includes('nora@example.com'));
    assert.ok(linkIn(mail, `${server.url}/password/reset/`), `a reset link: ${mail.text?.slice(0, 300)}`);
    assert.ok((await server.portcullis.accounts.findById(nora.id))?.passwordCompromisedAt instanceof Date);
    const failed = (await auditEvents(server, 'login.failed')).find((event) => event.accountId === nora.id);
    assert.equal(failed?.detail?.reason, 'password_compromised');

    const asked = pwned.requests.length;
    pwned.mode = 'error';
    const again = await signIn('nora', LEAKED);
    assert.equal(again.posted.status, 403, 'the mark alone refuses the sign-in');
    assert.equal(pwned.requests.length, asked, 'no new lookup');
    await inbox.waitFor((message) => JSON.stringify(message.to).includes('nora@example.com'));

    // JSON callers get the same refusal with a stable code.
    const browser = new Browserless(server.url);
    const opened = await openSignIn(browser);
    const json = await browser.request(`/interaction/${opened.uid}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': opened.csrf },
      body: JSON.stringify({ username: 'nora', password: LEAKED }),
    });
    assert.equal(json.status, 403);
    assert.equal(((await json.json()) as { error: string }).error, 'password_compromised');
    assert.equal((await auditEvents(server, 'password.compromised')).filter((event) => event.accountId === nora.id).length, 1, 'marked once');
  });

  it('the range API down at sign-in: the sign-in proceeds (fail open) and nothing is recorded', async () => {
    const otto = await person('otto', LEAKED_UNSEEN);
    pwned.mode = 'down';
    const asked = pwned.requests.length;
    const { browser, posted, location, start } = await signIn('otto', LEAKED_UNSEEN);
    assert.equal(posted.status, 303);
    assert.equal(pwned.requests.length, asked + 1, 'the API was asked, and did not answer');
    await toClient(browser, location, start);
    const account = await server.portcullis.accounts.findById(otto.id);
    assert.equal(account?.passwordCompromisedAt, undefined);
    assert.equal(account?.passwordCheckedAt, undefined, 'not recorded: the next sign-in asks again');
  });

  it('at most one lookup a day: a second sign-in within the day asks nothing, a sign-in a day later asks again', async () => {
    const dana = await person('dana', CLEAN);
    const first = await signIn('dana', CLEAN);
    await toClient(first.browser, first.location, first.start);
    const checkedAt = (await server.portcullis.accounts.findById(dana.id))?.passwordCheckedAt;
    assert.ok(checkedAt instanceof Date, 'the lookup is recorded');
    const asked = pwned.requests.length;

    clock.advance(23 * 3600);
    const second = await signIn('dana', CLEAN);
    await toClient(second.browser, second.location, second.start);
    assert.equal(pwned.requests.length, asked, 'no request');
    assert.equal((await server.portcullis.accounts.findById(dana.id))?.passwordCheckedAt?.getTime(), checkedAt.getTime(), 'no lookup');

    clock.advance(2 * 3600);
    const third = await signIn('dana', CLEAN);
    await toClient(third.browser, third.location, third.start);
    assert.equal(pwned.requests.length, asked + 1, 'a day later the range is asked for again');
    assert.ok(((await server.portcullis.accounts.findById(dana.id))?.passwordCheckedAt?.getTime() ?? 0) > checkedAt.getTime());
  });

  it('JSON callers: mfa_required, then password_change_required (reason compromised), then password_policy violations, then redirect_to', async () => {
    await person('jay');
    const { secret } = await enrolDirectly(server, 'jay', clock);
    const browser = new Browserless(server.url);
    const opened = await openSignIn(browser);
    const post = (path: string, body: unknown) =>
      browser.request(`/interaction/${opened.uid}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': opened.csrf },
        body: JSON.stringify(body),
      });
    const login = await post('/login', { username: 'jay', password: LEAKED });
    assert.equal(login.status, 401);
    assert.equal(((await login.json()) as { error: string }).error, 'mfa_required');
    const coded = await post('/mfa', { code: await totpAt(secret, clock) });
    assert.equal(coded.status, 401);
    const asked = (await coded.json()) as { error: string; new_password: { url: string; reason: string } };
    assert.equal(asked.error, 'password_change_required');
    assert.deepEqual(asked.new_password, { url: `/interaction/${opened.uid}/new-password`, reason: 'compromised' });
    const page = await browser.request(asked.new_password.url, { headers: { accept: 'application/json' } });
    assert.equal(((await page.json()) as { reason: string }).reason, 'compromised');

    const bad = await post('/new-password', { new_password: ALSO_LEAKED, confirm_password: ALSO_LEAKED });
    assert.equal(bad.status, 400);
    const refusal = (await bad.json()) as { error: string; violations: Array<{ code: string }> };
    assert.equal(refusal.error, 'password_policy');
    assert.ok(refusal.violations.some((violation) => violation.code === 'breached'));
    const malformed = await post('/new-password', { new_password: CHOSEN, confirm_password: CHOSEN, extra: 'field' });
    assert.equal(malformed.status, 400);
    assert.equal(((await malformed.json()) as { error: string }).error, 'invalid_request');

    const good = await post('/new-password', { new_password: `${CHOSEN} for me`, confirm_password: `${CHOSEN} for me` });
    assert.equal(good.status, 200, await good.clone().text());
    assert.match(((await good.json()) as { redirect_to: string }).redirect_to, /\/auth\//);
  });
});

describe('the breach check at sign-in where no second factor is due (MFA_POLICY=when_required)', () => {
  let server: TestServer;
  let pwned: FakePwned;
  const clock = new TestClock();
  before(async () => {
    pwned = await startPwned({ [LEAKED]: 3 });
    server = await startServer({
      env: { PASSWORD_BREACH_CHECK: 'on', PASSWORD_BREACH_API: pwned.url, MFA_POLICY: 'when_required' },
      options: { now: clock.now },
    });
  });
  after(async () => {
    await server?.close();
    await pwned?.close();
  });

  it('a person with an authenticator is asked for it after a breached password, so they can replace it inside the sign-in', async () => {
    await server.portcullis.accounts.create({ username: 'ivy', password: LEAKED });
    await server.portcullis.accounts.create({ username: 'ian', password: CLEAN });
    await enrolDirectly(server, 'ivy', clock);
    await enrolDirectly(server, 'ian', clock);
    const web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const attempt = async (username: string, password: string) => {
      const browser = new Browserless(server.url);
      const { response } = await browser.follow((await startAuthorization(web)).url.href);
      const html = await response.text();
      const csrf = field(html, /name="csrf" value="([^"]+)"/) as string;
      const uid = field(html, /\/interaction\/([A-Za-z0-9_-]+)\//) as string;
      const posted = await browser.postForm(`/interaction/${uid}/login`, { csrf, username, password });
      return { uid, location: posted.headers.get('location') ?? '' };
    };
    const ivy = await attempt('ivy', LEAKED);
    assert.equal(ivy.location, `/interaction/${ivy.uid}/mfa`);
    const ian = await attempt('ian', CLEAN);
    assert.doesNotMatch(ian.location, /\/mfa$/, 'a clean password needs no code here');
  });
});
