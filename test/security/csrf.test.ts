/**
 * CSRF tokens under attack: malformed tokens are refused like any wrong token (never a 500), and a
 * token is bound to the session or sign-in attempt it was issued for, so a cookie/token pair taken
 * from an anonymous visit and planted by a sibling subdomain (Domain=parent) does not pass.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as oidc from 'openid-client';
import { Browserless } from '../support/browserless.ts';
import { openConsole } from '../support/console.ts';
import { device, FIREFOX_LINUX, IPHONE, listSessions } from '../support/devices.ts';
import { signIn } from '../support/families.ts';
import { discover, startAuthorization } from '../support/rp.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

/** 43 characters, one of them outside ASCII: the same length as a real token in UTF-16 code units. */
const NON_ASCII_TOKEN = `${'a'.repeat(42)}é`;

async function expectCsrfRefusal(response: Response, json: boolean): Promise<void> {
  const text = await response.text();
  assert.equal(response.status, 403, text.slice(0, 300));
  if (json) assert.equal((JSON.parse(text) as { error: string }).error, 'csrf_failed');
  else assert.match(text, /this form has expired/);
}

/** Every cookie whose name mentions csrf, as the browser holds it. */
function csrfCookies(browser: Browserless): Array<[string, string]> {
  return browser.jar
    .header()
    .split('; ')
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)] as [string, string])
    .filter(([name]) => /csrf/i.test(name));
}

describe('CSRF tokens', () => {
  let server: TestServer;
  let web: oidc.Configuration;

  /** A fresh sign-in page: its interaction uid and the token rendered in its form. */
  async function openLogin(browser: Browserless): Promise<{ uid: string; csrf: string }> {
    const start = await startAuthorization(web);
    const { response } = await browser.follow(start.url.href);
    const html = await response.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
    const uid = /\/interaction\/([A-Za-z0-9_-]+)\/login/.exec(html)?.[1];
    assert.ok(csrf && uid, `a login form: ${response.status}`);
    return { uid, csrf };
  }

  before(async () => {
    server = await startServer();
    web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
  });
  after(() => server.close());

  it('a non-ASCII CSRF token is refused with 403 csrf_failed, never a 500: form, JSON and header', async () => {
    const browser = new Browserless(server.url);
    const { uid } = await openLogin(browser);
    const path = `/interaction/${uid}/login`;
    await expectCsrfRefusal(await browser.postForm(path, { csrf: NON_ASCII_TOKEN, username: 'alice', password: PASSWORD }), false);
    await expectCsrfRefusal(
      await browser.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ csrf: NON_ASCII_TOKEN, username: 'alice', password: PASSWORD }),
      }),
      true,
    );
    await expectCsrfRefusal(
      await browser.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': NON_ASCII_TOKEN },
        body: JSON.stringify({ username: 'alice', password: PASSWORD }),
      }),
      true,
    );

    const laptop = device(server.url, FIREFOX_LINUX);
    await signIn(server, web, 'alice', laptop);
    await listSessions(laptop);
    await expectCsrfRefusal(await laptop.request('/account/api/sessions', { method: 'DELETE', headers: { 'x-csrf-token': NON_ASCII_TOKEN } }), true);
    await expectCsrfRefusal(await laptop.postForm('/account/sessions/end-others', { csrf: NON_ASCII_TOKEN }), false);
  });

  it('a CSRF cookie pair and token copied from an anonymous browser into a signed-in one do not end its other sessions', async () => {
    // The attacker's own anonymous visit: a valid cookie pair and the token that goes with it.
    const attacker = new Browserless(server.url);
    const { csrf: attackerToken } = await openLogin(attacker);
    const planted = csrfCookies(attacker);
    assert.ok(planted.length > 0, 'the anonymous visit got a CSRF cookie');

    const phone = device(server.url, IPHONE);
    const laptop = device(server.url, FIREFOX_LINUX);
    await signIn(server, web, 'bob', phone);
    await signIn(server, web, 'bob', laptop);
    await openConsole(laptop);
    for (const [name, value] of planted) laptop.jar.set(name, value);

    await expectCsrfRefusal(await laptop.postForm('/account/sessions/end-others', { csrf: attackerToken }), false);
    await expectCsrfRefusal(await laptop.request('/account/api/sessions', { method: 'DELETE', headers: { 'x-csrf-token': attackerToken } }), true);
    assert.equal((await listSessions(phone)).sessions.length, 2, 'both of bob’s sessions are still there');

    // The signed-in browser's own token, issued with the planted cookie in place, still works.
    const { csrf: own } = await listSessions(laptop);
    const ended = await laptop.request('/account/api/sessions', { method: 'DELETE', headers: { 'x-csrf-token': own } });
    assert.equal(ended.status, 200);
    assert.deepEqual(await ended.json(), { ended: 1 });
  });

  it('a token from one sign-in attempt does not pass on another attempt, even with its cookie planted', async () => {
    const attacker = new Browserless(server.url);
    const { csrf: attackerToken } = await openLogin(attacker);
    const victim = new Browserless(server.url);
    const { uid } = await openLogin(victim);
    for (const [name, value] of csrfCookies(attacker)) victim.jar.set(name, value);
    await expectCsrfRefusal(await victim.postForm(`/interaction/${uid}/login`, { csrf: attackerToken, username: 'alice', password: PASSWORD }), false);
  });
});
