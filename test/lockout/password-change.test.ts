/**
 * The current-password check on /account/password is a password check like the login form's:
 * whoever holds a session (stolen, or a browser left open) must not get unlimited guesses at
 * the password through it. Same counters (username + address, username), same answer (429 with
 * Retry-After), even for the right password. Waits are one minute, so nothing depends on time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Browserless } from '../support/browserless.ts';
import { openConsole } from '../support/console.ts';
import { signIn } from '../support/families.ts';
import { alertText, openLoginForm } from '../support/login-form.ts';
import { discover } from '../support/rp.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

const NEW_PASSWORD = 'a different passphrase entirely';
const from = (ip: string) => ({ 'x-forwarded-for': ip });

describe('password change throttling', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({
      env: {
        // Requests come from 127.0.0.1; trusting it as a proxy lets X-Forwarded-For name the "client".
        TRUST_PROXY: '127.0.0.1',
        LOCKOUT_USER_IP_FREE_FAILURES: '1',
        LOCKOUT_USER_FREE_FAILURES: '2',
        LOCKOUT_BACKOFF_BASE: '1m',
      },
    });
  });
  after(() => server.close());

  /** A signed-in browser at `ip`, and a poster for the password form as it is rendered. */
  async function signedIn(username: string, ip: string, { create = true } = {}) {
    if (create) await server.portcullis.accounts.create({ username, password: PASSWORD });
    const browser = new Browserless(server.url, from(ip));
    await signIn(server, await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough'), username, browser);
    await openConsole(browser);
    const form = await (await browser.request('/account/password')).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(form)?.[1] as string;
    return {
      post: (current: string) =>
        browser.postForm('/account/password', { csrf, username, current_password: current, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD }),
      json: (current: string) =>
        browser.request('/account/password', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
          body: JSON.stringify({ current_password: current, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD }),
        }),
    };
  }

  it('the current-password check on /account/password is throttled like the login form, even for the right password', async () => {
    const page = await signedIn('hana', '10.7.0.1');
    assert.equal((await page.post('wrong guess one')).status, 400);
    assert.equal((await page.post('wrong guess two')).status, 400);
    const refused = await page.post(PASSWORD);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '60');
    const html = await refused.text();
    assert.match(html, /name="current_password"/, 'the form is there to try again later');
    assert.equal(alertText(html), 'Too many sign-in attempts. For your security, please wait 60 seconds and try again.');
    const json = await page.json(PASSWORD);
    assert.equal(json.status, 429);
    assert.equal(((await json.json()) as { error: string }).error, 'too_many_attempts');
    assert.equal((await server.portcullis.accounts.authenticate('hana', PASSWORD)).ok, true, 'nothing was changed');

    // The same counters as the login form: it is held back at this address too, not elsewhere.
    const login = await openLoginForm(server.url, from('10.7.0.1'));
    assert.equal((await login.attempt('hana', PASSWORD, { headers: from('10.7.0.1') })).status, 429);
    const elsewhere = await openLoginForm(server.url, from('10.7.0.2'));
    assert.equal((await elsewhere.attempt('hana', PASSWORD, { headers: from('10.7.0.2') })).status, 303);
  });

  it('wrong current passwords on /account/password count against the username from every address', async () => {
    // The owner is signed in at two addresses (both known to the login guard); three wrong
    // guesses in all pass the username-wide free allowance (2): a stranger's address now waits.
    const laptop = await signedIn('ivan', '10.8.0.1');
    const phone = await signedIn('ivan', '10.8.0.2', { create: false });
    assert.equal((await laptop.post('wrong one')).status, 400);
    assert.equal((await phone.post('wrong two')).status, 400);
    assert.equal((await phone.post('wrong three')).status, 400);
    const stranger = await openLoginForm(server.url, from('10.8.5.5'));
    assert.equal((await stranger.attempt('ivan', PASSWORD, { headers: from('10.8.5.5') })).status, 429, 'a fresh address waits');
  });
});
