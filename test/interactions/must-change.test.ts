/**
 * The new-password step over HTTP (the browser test is must-change.browser.test.ts): a refused
 * new password is the page again with the reason and nothing written; the step's routes refuse
 * (400 unexpected_step) an interaction at another step; a person without the mark never sees the
 * step; after the new password the sign-in continues as after any password (the second factor
 * when due), other sessions end, and `password.changed` is audited with reason must_change.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Browserless } from '../support/browserless.ts';
import { auditEvents } from '../support/families.ts';
import { drive, enrolDirectly, TestClock, totpAt } from '../support/mfa.ts';
import { discover, startAuthorization } from '../support/rp.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

const CHOSEN = 'a passphrase of my own choosing';
const NEW_PASSWORD_PATH = /^\/interaction\/([A-Za-z0-9_-]+)\/new-password$/;

describe('must_change: a new password at sign-in', () => {
  let server: TestServer;
  const clock = new TestClock();
  let authorizationUrl: () => Promise<string>;

  before(async () => {
    server = await startServer({ options: { now: clock.now } });
    const web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    authorizationUrl = async () => (await startAuthorization(web, { scope: 'openid' })).url.href;
  });
  after(() => server.close());

  const field = (html: string, pattern: RegExp) => pattern.exec(html)?.[1];

  /** Opens a sign-in and posts the username and password; returns where the form sent the browser. */
  async function signIn(browser: Browserless, username: string, password = PASSWORD) {
    const { response } = await browser.follow(await authorizationUrl());
    const html = await response.text();
    const csrf = field(html, /name="csrf" value="([^"]+)"/) as string;
    const uid = field(html, /\/interaction\/([A-Za-z0-9_-]+)\//) as string;
    assert.ok(csrf && uid, 'the sign-in form');
    const posted = await browser.postForm(`/interaction/${uid}/login`, { csrf, username, password });
    return { uid, csrf, posted, location: posted.headers.get('location') ?? '' };
  }

  async function marked(username: string) {
    return server.portcullis.accounts.create({ username, password: PASSWORD, mustChangePassword: true });
  }

  /** What a refused new password must leave alone. */
  async function written(id: string) {
    const account = await server.portcullis.accounts.findById(id);
    return JSON.stringify({
      hash: account?.passwordHash,
      mark: account?.mustChangePassword,
      changedAt: account?.passwordChangedAt,
      sessions: (await server.portcullis.sessions.records(id)).length,
      changed: (await auditEvents(server, 'password.changed')).filter((event) => event.accountId === id).length,
    });
  }

  it('a too-short, a mismatched or the admin-set password gives the page again with the reason, and writes nothing', async () => {
    const person = await marked('shortie');
    const browser = new Browserless(server.url);
    const { uid, csrf, posted, location } = await signIn(browser, 'shortie');
    assert.equal(posted.status, 303);
    assert.match(location, NEW_PASSWORD_PATH, 'the correct admin-set password leads to the new-password page');
    const before = await written(person.id);
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ new_password: 'too short', confirm_password: 'too short' }, /at least 15 characters/],
      [{ new_password: CHOSEN, confirm_password: `${CHOSEN} but different` }, /not the same/],
      [{ new_password: PASSWORD, confirm_password: PASSWORD }, /different from the one you were given/],
    ];
    for (const [fields, message] of cases) {
      const answer = await browser.postForm(`/interaction/${uid}/new-password`, { csrf, ...fields });
      const html = await answer.text();
      assert.equal(answer.status, 400, html.slice(0, 300));
      assert.match(html, message);
      assert.match(html, new RegExp(`action="/interaction/${uid}/new-password"`), 'the same page, to try again');
      assert.equal(await written(person.id), before, 'nothing written');
    }
  });

  it('the new-password routes refuse with 400 unexpected_step before the password, and after a password that needs no change', async () => {
    await marked('early');
    const browser = new Browserless(server.url);
    const { response } = await browser.follow(await authorizationUrl());
    const html = await response.text();
    const csrf = field(html, /name="csrf" value="([^"]+)"/) as string;
    const uid = field(html, /\/interaction\/([A-Za-z0-9_-]+)\//) as string;
    const refused = await browser.postForm(`/interaction/${uid}/new-password`, { csrf, new_password: CHOSEN, confirm_password: CHOSEN });
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /unexpected_step/);
    const page = await browser.request(`/interaction/${uid}/new-password`, { headers: { accept: 'application/json' } });
    assert.equal(page.status, 400);
    assert.equal(((await page.json()) as { error: string }).error, 'unexpected_step');

    // bob has no mark: after his password the interaction is at consent, not at the new-password step.
    const other = new Browserless(server.url);
    const bob = await signIn(other, 'bob');
    assert.doesNotMatch(bob.location, /new-password/);
    const consent = await (await other.follow(bob.location)).response.text();
    assert.match(consent, /\/confirm"/, 'at the consent step');
    const consentCsrf = field(consent, /name="csrf" value="([^"]+)"/) as string;
    const consentUid = field(consent, /\/interaction\/([A-Za-z0-9_-]+)\//) as string;
    const atConsent = await other.postForm(`/interaction/${consentUid}/new-password`, { csrf: consentCsrf, new_password: CHOSEN, confirm_password: CHOSEN });
    assert.equal(atConsent.status, 400);
    assert.match(await atConsent.text(), /unexpected_step/);
  });

  it('a person without the mark never sees the new-password step', async () => {
    const result = await drive(new Browserless(server.url), await authorizationUrl(), { username: 'bob', password: PASSWORD });
    assert.equal(result.callback.pathname, '/callback');
    assert.deepEqual(
      result.seen.filter((step) => step === 'login'),
      ['login'],
    );
    const browser = new Browserless(server.url);
    const { location } = await signIn(browser, 'bob');
    assert.doesNotMatch(location, /new-password/);
  });

  it('a new password ends other sessions, clears the mark, is audited with reason must_change, and goes on to the second factor when due', async () => {
    await server.portcullis.accounts.create({ username: 'enrolled', password: PASSWORD });
    const { accountId, secret } = await enrolDirectly(server, 'enrolled', clock);
    const elsewhere = new Browserless(server.url);
    await drive(elsewhere, await authorizationUrl(), { username: 'enrolled', password: PASSWORD, code: () => totpAt(secret, clock) });
    assert.equal((await server.portcullis.sessions.records(accountId)).length, 1, 'signed in elsewhere');
    await server.portcullis.store.accounts.update(accountId, { mustChangePassword: true });
    clock.advance(30_000);

    const browser = new Browserless(server.url);
    const { uid, csrf, location } = await signIn(browser, 'enrolled');
    assert.match(location, NEW_PASSWORD_PATH);
    assert.equal((await server.portcullis.sessions.records(accountId)).length, 1, 'no session yet for the admin-set password');
    const answer = await browser.postForm(`/interaction/${uid}/new-password`, { csrf, new_password: CHOSEN, confirm_password: CHOSEN });
    assert.equal(answer.status, 303, (await answer.clone().text()).slice(0, 300));
    assert.equal(answer.headers.get('location'), `/interaction/${uid}/mfa`, 'the second factor comes next, as after any password');

    const account = await server.portcullis.accounts.findById(accountId);
    assert.equal(account?.mustChangePassword, undefined);
    assert.equal((await server.portcullis.sessions.records(accountId)).length, 0, 'the other session ended');
    const event = (await auditEvents(server, 'password.changed')).find((record) => record.accountId === accountId);
    assert.equal(event?.detail?.reason, 'must_change');

    const done = await drive(browser, `/interaction/${uid}/mfa`, { code: () => totpAt(secret, clock) });
    assert.equal(done.callback.pathname, '/callback');
    assert.equal((await server.portcullis.accounts.authenticate('enrolled', CHOSEN)).ok, true);
  });

  it('JSON callers are told where the new password goes, and can send it there', async () => {
    await marked('robotic');
    const browser = new Browserless(server.url);
    const { response } = await browser.follow(await authorizationUrl());
    const html = await response.text();
    const csrf = field(html, /name="csrf" value="([^"]+)"/) as string;
    const uid = field(html, /\/interaction\/([A-Za-z0-9_-]+)\//) as string;
    const json = (path: string, body?: unknown) =>
      browser.request(path, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json', 'x-csrf-token': csrf }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const login = await json(`/interaction/${uid}/login`, { csrf, username: 'robotic', password: PASSWORD });
    assert.equal(login.status, 401);
    const told = (await login.json()) as { error: string; new_password: { url: string } };
    assert.equal(told.error, 'password_change_required');
    assert.equal(told.new_password.url, `/interaction/${uid}/new-password`);
    const page = (await (await json(told.new_password.url)).json()) as { prompt: { name: string }; csrf_token: string };
    assert.equal(page.prompt.name, 'new_password');
    const short = await json(told.new_password.url, { csrf, new_password: 'short', confirm_password: 'short' });
    assert.equal(short.status, 400);
    // Issue 14: the single code gave way to the password_policy shape with every violation.
    const refused = (await short.json()) as { error: string; violations: Array<{ code: string; min?: number }> };
    assert.equal(refused.error, 'password_policy');
    assert.deepEqual(refused.violations[0], { code: 'too_short', min: 15 });
    const done = await json(told.new_password.url, { csrf, new_password: CHOSEN, confirm_password: CHOSEN });
    assert.equal(done.status, 200);
    assert.ok(((await done.json()) as { redirect_to?: string }).redirect_to);
  });
});
