/**
 * /account on its own, without a browser (account-signin.browser.test.ts drives the same in
 * Chromium): a page opened with no cookies signs in through the issuer's authorization flow as
 * the internal client portcullis-account and comes back to that page; the console cookie lives
 * only as long as the issuer session it signed in through; JSON callers get 401 login_required;
 * the return-to is a path of the console and nothing else.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { safeReturnTo } from '../../src/console/return-to.ts';
import { Browserless } from '../support/browserless.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

const json = { accept: 'application/json' };

/** Opens `path` with the browser's cookies, signing in as `username` if the console asks. */
async function open(server: TestServer, browser: Browserless, path: string, username = 'alice'): Promise<{ url: string; html: string }> {
  const html = await browser.authorizeUntilPage(`${server.url}${path}`, username, PASSWORD);
  const { url } = await browser.follow(path);
  return { url, html };
}

describe('the account console signs in on its own', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('a page opened with no cookies sends the browser to sign in as portcullis-account, with PKCE S256', async () => {
    const browser = new Browserless(server.url);
    const response = await browser.request('/account/sessions');
    assert.equal(response.status, 303);
    const to = new URL(response.headers.get('location') as string);
    assert.equal(`${to.origin}${to.pathname}`, `${server.url}/auth`);
    assert.equal(to.searchParams.get('client_id'), 'portcullis-account');
    assert.equal(to.searchParams.get('redirect_uri'), `${server.url}/account/callback`);
    assert.equal(to.searchParams.get('code_challenge_method'), 'S256');
    assert.match(to.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    const transaction = response.headers.getSetCookie().find((cookie) => cookie.startsWith('portcullis.account-signin='));
    assert.match(transaction ?? '', /httponly/i);
    assert.match(transaction ?? '', /path=\/account\/callback/i);
    assert.match(transaction ?? '', /max-age=600|expires=/i);
  });

  it('signs in through the issuer and returns to the page asked for, with no consent screen', async () => {
    const browser = new Browserless(server.url);
    const html = await browser.authorizeUntilPage(`${server.url}/account/sessions?ended=0`, 'alice', PASSWORD);
    assert.match(html, /Your sessions/);
    assert.match(html, /There were no other sessions to sign out/, 'the query string came back too');
    const home = await browser.request('/account');
    assert.equal(home.status, 200);
    const page = await home.text();
    for (const link of ['/account/password', '/account/mfa', '/account/sessions']) assert.ok(page.includes(`href="${link}"`), link);
    const me = (await (await browser.request('/account', { headers: json })).json()) as { username: string };
    assert.equal(me.username, 'alice');
  });

  it('a fresh console sign-in is fresh enough to set up two-step verification', async () => {
    const browser = new Browserless(server.url);
    const { html } = await open(server, browser, '/account/mfa/enrol', 'bob');
    assert.match(html, /Set up two-step verification/);
    assert.match(html, /id="totp-secret"/);
  });

  it('JSON callers and forms without a console session get 401 login_required, not a redirect', async () => {
    const stranger = new Browserless(server.url);
    for (const path of ['/account', '/account/sessions', '/account/mfa', '/account/api/sessions']) {
      const response = await stranger.request(path, { headers: json });
      assert.equal(response.status, 401, path);
      assert.equal(((await response.json()) as { error: string }).error, 'login_required', path);
    }
    const form = await stranger.postForm('/account/sessions/end-others', { csrf: 'x'.repeat(43) });
    assert.notEqual(form.status, 303);
    assert.ok(form.status === 401 || form.status === 403, `form answered ${form.status}`);
  });

  it('an issuer session alone is not a console session: JSON says login_required until the console signs in', async () => {
    const browser = new Browserless(server.url);
    await open(server, browser, '/account');
    const console = [...browser.jar.header().split('; ')].find((pair) => pair.startsWith('portcullis.account='));
    assert.ok(console, 'the console cookie is set');
    const withoutIt = new Browserless(server.url);
    for (const pair of browser.jar.header().split('; ')) {
      const [name, ...rest] = pair.split('=');
      if (name && name !== 'portcullis.account' && name !== 'portcullis.account.sig') withoutIt.jar.set(name, rest.join('='));
    }
    assert.equal((await withoutIt.request('/account', { headers: json })).status, 401);
    // Signing in again is silent: the issuer session is still there.
    const again = await withoutIt.follow('/account');
    assert.equal(again.response.status, 200);
    assert.equal(new URL(again.url).pathname, '/account');
  });

  it('a console cookie carried to another browser, without its issuer session, is refused', async () => {
    const alice = new Browserless(server.url);
    await open(server, alice, '/account');
    const bob = new Browserless(server.url);
    await open(server, bob, '/account', 'bob');
    // Bob's browser with alice's console cookie: bound to alice's issuer session, not bob's.
    bob.jar.set('portcullis.account', alice.jar.get('portcullis.account') as string);
    bob.jar.set('portcullis.account.sig', alice.jar.get('portcullis.account.sig') as string);
    assert.equal((await bob.request('/account', { headers: json })).status, 401);
    const thief = new Browserless(server.url);
    thief.jar.set('portcullis.account', alice.jar.get('portcullis.account') as string);
    thief.jar.set('portcullis.account.sig', alice.jar.get('portcullis.account.sig') as string);
    assert.equal((await thief.request('/account', { headers: json })).status, 401);
    // A cookie whose signature does not match what it says is no session either.
    const forged = new Browserless(server.url);
    for (const name of ['_session', '_session.sig']) forged.jar.set(name, alice.jar.get(name) as string);
    forged.jar.set('portcullis.account', Buffer.from(JSON.stringify({ sub: 'someone-else', sid: 'x' })).toString('base64url'));
    forged.jar.set('portcullis.account.sig', alice.jar.get('portcullis.account.sig') as string);
    assert.equal((await forged.request('/account', { headers: json })).status, 401);
  });

  it('the console session ends when the issuer session ends: logout, or sign out everywhere from another browser', async () => {
    const browser = new Browserless(server.url);
    await open(server, browser, '/account');
    assert.equal((await browser.request('/account', { headers: json })).status, 200);
    const logout = await (await browser.follow('/session/end?client_id=portcullis-account')).response.text();
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(logout)?.[1];
    assert.ok(xsrf, 'the logout confirmation form');
    const ended = await browser.postForm('/session/end/confirm', { xsrf, logout: 'yes' });
    assert.ok(ended.status === 303 || ended.status === 302, `logout answered ${ended.status}`);
    assert.equal((await browser.request('/account', { headers: json })).status, 401);
    assert.equal((await browser.request('/account')).status, 303, 'the page starts a new sign-in');

    const laptop = new Browserless(server.url);
    const phone = new Browserless(server.url);
    await open(server, laptop, '/account');
    await open(server, phone, '/account');
    const csrf = /name="csrf" value="([^"]+)"/.exec(await (await laptop.request('/account/sessions')).text())?.[1] as string;
    assert.equal((await laptop.postForm('/account/sessions/end-others', { csrf })).status, 303);
    assert.equal((await phone.request('/account', { headers: json })).status, 401, 'sign out everywhere else ended the phone’s console');
    assert.equal((await laptop.request('/account', { headers: json })).status, 200, 'this browser stays signed in');
  });

  it('a callback without its sign-in transaction, or with another state, is refused', async () => {
    const browser = new Browserless(server.url);
    const none = await browser.request('/account/callback?code=abc&state=def', { headers: json });
    assert.equal(none.status, 400);
    assert.equal(((await none.json()) as { error: string }).error, 'invalid_state');
    await browser.request('/account/sessions');
    const wrong = await browser.request('/account/callback?code=abc&state=not-the-state', { headers: json });
    assert.equal(wrong.status, 400);
    assert.equal(((await wrong.json()) as { error: string }).error, 'invalid_state');
  });

  it('a crafted return-to never leaves the console', async () => {
    // Through the whole round trip: a browser with an issuer session but no console cookie opens
    // crafted addresses; the sign-in is silent, and wherever it ends, it ends on this origin under /account.
    const browser = new Browserless(server.url);
    await open(server, browser, '/account');
    for (const path of [
      '/account//evil.example',
      '/account/%2F%2Fevil.example',
      '/account/%5Cevil',
      '/account/..%2F..%2Fevil',
      '/account/x/..//evil.example',
      '/account?next=https://evil.example',
    ]) {
      browser.jar.set('portcullis.account', '');
      const { url } = await browser.follow(path);
      assert.ok(url.startsWith(`${server.url}/account`), `${path} ended at ${url}`);
    }
    for (const [candidate, expected] of [
      ['//evil.example', '/account'],
      ['https://evil.example', '/account'],
      ['/\\evil', '/account'],
      ['/account/\\evil', '/account'],
      ['/account//evil.example', '/account'],
      ['/account/../evil', '/account'],
      ['/account/%2e%2e/evil', '/account'],
      ['/accountevil', '/account'],
      ['/account/callback?code=1', '/account'],
      ['/account/\tx', '/account'],
      ['/account/sessions?ended=1', '/account/sessions?ended=1'],
      ['/account/mfa', '/account/mfa'],
      ['/account', '/account'],
    ] as const) {
      assert.equal(safeReturnTo(candidate), expected, candidate);
    }
  });
});
