/**
 * Step-up at /account: changing the password, email or second factors, or signing out
 * everywhere, needs a sign-in no older than ACCOUNT_REAUTH_MAX_AGE (default 5 minutes). Past it,
 * pages send the browser through the console's own authorization request with max_age (the
 * issuer asks for the password again) and back to the form; JSON callers get
 * 401 reauthentication_required. The sign-in is aged by moving the stored session's login time
 * (support/age-session.ts), which the provider and the console both read.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ageSignIn } from '../support/age-session.ts';
import { Browserless } from '../support/browserless.ts';
import { enrolDirectly, TestClock, totpAt } from '../support/mfa.ts';
import { csrfIn } from '../support/self-service.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

const NEW_PASSWORD = 'seven quiet lanterns over the harbour';
const WINDOW = 300;

describe('step-up for sensitive changes at /account', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  async function signedIn(username: string) {
    const account = await server.portcullis.accounts.create({ username, email: `${username}@example.com`, password: PASSWORD });
    const browser = new Browserless(server.url);
    await browser.authorizeUntilPage(`${server.url}/account`, username, PASSWORD);
    return { account, browser };
  }

  /** Where a request leads when its redirects are followed: the path, and whether a password is asked for. */
  async function lands(browser: Browserless, path: string) {
    const { response, url } = await browser.follow(path);
    const html = await response.text();
    return { path: new URL(url).pathname, asksPassword: html.includes('name="password"'), html };
  }

  const passwordWorks = async (username: string, password: string) => {
    const probe = new Browserless(server.url);
    try {
      await probe.authorizeUntilPage(`${server.url}/account`, username, password);
      return true;
    } catch (error) {
      if (/form answered 401/.test(String(error))) return false;
      throw error;
    }
  };

  it('a sign-in within the window is not asked again before a password change', async () => {
    const { browser } = await signedIn('ada');
    const shown = await lands(browser, '/account/password');
    assert.equal(shown.path, '/account/password');
    assert.equal(shown.asksPassword, false);
    const changed = await browser.postForm('/account/password', {
      csrf: csrfIn(shown.html),
      current_password: PASSWORD,
      new_password: NEW_PASSWORD,
      confirm_password: NEW_PASSWORD,
    });
    assert.equal(changed.status, 200);
  });

  it('a sign-in older than the window is asked for the password before a password change', async () => {
    const { account, browser } = await signedIn('bea');
    await ageSignIn(server, account.id, WINDOW + 60);
    const first = await browser.request('/account/password');
    assert.equal(first.status, 303);
    const to = new URL(first.headers.get('location') as string);
    assert.equal(to.pathname, '/auth');
    assert.equal(to.searchParams.get('client_id'), 'portcullis-account');
    assert.equal(to.searchParams.get('max_age'), String(WINDOW));
    const asked = await lands(browser, '/account/password');
    assert.ok(asked.path.startsWith('/interaction/'), `asked at ${asked.path}`);
    assert.equal(asked.asksPassword, true, 'the issuer asks for the password again');
    // Signing in again returns to the form, which now works.
    const html = await browser.authorizeUntilPage(`${server.url}/account/password`, 'bea', PASSWORD);
    assert.match(html, /Change your password/);
    const changed = await browser.postForm('/account/password', {
      csrf: csrfIn(html),
      current_password: PASSWORD,
      new_password: NEW_PASSWORD,
      confirm_password: NEW_PASSWORD,
    });
    assert.equal(changed.status, 200);
    assert.equal(await passwordWorks('bea', NEW_PASSWORD), true);
  });

  it('a form posted past the window changes nothing and goes through the sign-in back to its page', async () => {
    const { account, browser } = await signedIn('cleo');
    const html = await (await browser.request('/account/password')).text();
    await ageSignIn(server, account.id, WINDOW + 60);
    const posted = await browser.postForm('/account/password', {
      csrf: csrfIn(html),
      current_password: PASSWORD,
      new_password: NEW_PASSWORD,
      confirm_password: NEW_PASSWORD,
    });
    assert.equal(posted.status, 303);
    assert.equal(new URL(posted.headers.get('location') as string).searchParams.get('max_age'), String(WINDOW));
    assert.equal(await passwordWorks('cleo', PASSWORD), true, 'the password did not change');
    const back = await browser.authorizeUntilPage(posted.headers.get('location') as string, 'cleo', PASSWORD);
    assert.match(back, /Change your password/, 'back at the form');
  });

  it('the same rule covers email, second factors and signing out everywhere', async () => {
    const { account, browser } = await signedIn('dora');
    const profile = await (await browser.request('/account/profile')).text();
    const sessions = await (await browser.request('/account/sessions')).text();
    await ageSignIn(server, account.id, WINDOW + 60);
    const email = await browser.postForm('/account/profile/email', { csrf: csrfIn(profile), email: 'dora.new@example.com' });
    assert.equal(email.status, 303);
    assert.equal(new URL(email.headers.get('location') as string).searchParams.get('max_age'), String(WINDOW));
    const others = await browser.postForm('/account/sessions/end-others', { csrf: csrfIn(sessions) });
    assert.equal(others.status, 303);
    assert.equal(new URL(others.headers.get('location') as string).pathname, '/auth');
    const enrol = await browser.request('/account/mfa/enrol');
    assert.equal(enrol.status, 303);
    assert.equal(new URL(enrol.headers.get('location') as string).searchParams.get('max_age'), String(WINDOW));
    for (const path of ['/account/mfa/backup-codes', '/account/mfa/remove']) {
      const posted = await browser.postForm(path, { csrf: csrfIn(sessions), code: '123456' });
      assert.equal(posted.status, 303, path);
      assert.equal(new URL(posted.headers.get('location') as string).pathname, '/auth', path);
    }
  });

  it('JSON callers past the window get 401 reauthentication_required, not a redirect', async () => {
    const { account, browser } = await signedIn('edie');
    const listed = (await (await browser.request('/account/api/sessions')).json()) as { csrf_token: string };
    await ageSignIn(server, account.id, WINDOW + 60);
    const headers = { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': listed.csrf_token };
    const answers = [
      await browser.request('/account/api/sessions', { method: 'DELETE', headers }),
      await browser.request('/account/password', {
        method: 'POST',
        headers,
        body: JSON.stringify({ current_password: PASSWORD, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD }),
      }),
      await browser.request('/account/profile/email', { method: 'POST', headers, body: JSON.stringify({ email: 'edie.new@example.com' }) }),
    ];
    for (const answer of answers) {
      assert.equal(answer.status, 401);
      assert.equal(((await answer.json()) as { error: string }).error, 'reauthentication_required');
    }
    // Reading stays open: the rules of the password page, as JSON.
    assert.equal((await browser.request('/account/password', { headers: { accept: 'application/json' } })).status, 200);
  });
});

describe('step-up with a second factor enrolled', () => {
  const clock = new TestClock();
  let server: TestServer;
  before(async () => {
    server = await startServer({ options: { now: clock.now } });
  });
  after(() => server.close());

  /** Follows `path`, answering the password and second-factor pages; returns what was asked and where it ended. */
  async function walk(browser: Browserless, path: string, secret: string) {
    const asked: string[] = [];
    let { response, url } = await browser.follow(path);
    for (let step = 0; step < 5 && new URL(url).pathname.startsWith('/interaction/'); step += 1) {
      const html = await response.text();
      const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
      const uid = /\/interaction\/([A-Za-z0-9_-]+)\//.exec(html)?.[1] ?? '';
      let posted: Response;
      if (html.includes('name="password"')) {
        asked.push('password');
        posted = await browser.postForm(`/interaction/${uid}/login`, { csrf, username: 'gwen', password: PASSWORD });
      } else if (html.includes(`/interaction/${uid}/mfa"`)) {
        asked.push('code');
        clock.advance(30);
        posted = await browser.postForm(`/interaction/${uid}/mfa`, { csrf, code: await totpAt(secret, clock) });
      } else {
        throw new Error(`no known form at ${url}`);
      }
      assert.equal(posted.status, 303, `${asked.at(-1)} accepted`);
      ({ response, url } = await browser.follow(posted.headers.get('location') as string));
    }
    return { asked, path: new URL(url).pathname, html: await response.text() };
  }

  it('past the window, the password and then the second factor are asked again before a password change', async () => {
    const account = await server.portcullis.accounts.create({ username: 'gwen', password: PASSWORD });
    const { secret } = await enrolDirectly(server, 'gwen', clock);
    const browser = new Browserless(server.url);
    assert.deepEqual((await walk(browser, '/account', secret)).asked, ['password', 'code'], 'the first sign-in');
    assert.deepEqual((await walk(browser, '/account/password', secret)).asked, [], 'within the window: nothing asked');
    await ageSignIn(server, account.id, WINDOW + 60);
    const again = await walk(browser, '/account/password', secret);
    assert.deepEqual(again.asked, ['password', 'code']);
    assert.equal(again.path, '/account/password');
    assert.match(again.html, /Change your password/);
  });
});
