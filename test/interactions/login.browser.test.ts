/**
 * A person signs in through the real pages in headless Chromium and lands on the client's
 * redirect URI with a code; a failed login shows an error that does not reveal whether the
 * username exists; Cancel goes back to the client with access_denied.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launchBrowser } from '../support/browser.ts';
import { signInThroughPage, submits } from '../support/pages.ts';
import { discover, redeem, startAuthorization } from '../support/rp.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

if (chromiumMissing) console.warn(`\n*** ${chromiumMissing} ***\n`);

describe('login pages in a real browser', { skip: chromiumMissing }, () => {
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Opens the authorization URL and stops the navigation that would leave for the client. */
  async function openLogin(): Promise<{ page: Page; landed: Promise<URL> }> {
    const config = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const start = await startAuthorization(config, { scope: 'openid profile' });
    const context = await browser.newContext();
    const page = await context.newPage();
    const landed = new Promise<URL>((resolve) => {
      void page.route('http://127.0.0.1:9999/**', async (route) => {
        resolve(new URL(route.request().url()));
        await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>client</p>' });
      });
    });
    await page.goto(start.url.href);
    return { page, landed };
  }

  it('signs in, consents and lands on the redirect URI with a code', async () => {
    const { page, landed } = await openLogin();
    await assert.doesNotReject(page.getByLabel('Username').waitFor());
    assert.equal(await page.getAttribute('input[name="username"]', 'autocomplete'), 'username');
    assert.equal(await page.getAttribute('input[name="password"]', 'autocomplete'), 'current-password');
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(PASSWORD);
    await submits(page, '/interaction/:uid/login', () => page.getByRole('button', { name: 'Sign in' }).click());
    await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    await page.getByRole('button', { name: 'Allow' }).click();
    const url = await landed;
    assert.equal(url.origin + url.pathname, 'http://127.0.0.1:9999/callback');
    assert.ok(url.searchParams.get('code'));
    assert.ok(url.searchParams.get('state'));
  });

  it('shows the same error for a wrong password and an unknown username', async () => {
    const messages: string[] = [];
    for (const username of ['alice', 'no-such-person']) {
      const { page } = await openLogin();
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Password').fill('definitely wrong password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      messages.push((await alert.textContent())?.trim() ?? '');
      assert.equal(await page.inputValue('input[name="username"]'), username, 'the username is kept for a retry');
      assert.equal(await page.inputValue('input[name="password"]'), '', 'the password is not echoed back');
    }
    assert.equal(messages[0], messages[1]);
    assert.match(messages[0] ?? '', /not right/);
  });

  it('signing in as someone else in the same browser signs the first person out, then lands with a code for the second', async () => {
    const { page, landed } = await openLogin();
    await signInThroughPage(page, 'alice');
    await page.getByRole('button', { name: 'Allow' }).click();
    await landed;
    await page.waitForURL('http://127.0.0.1:9999/**');

    const config = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const start = await startAuthorization(config, { scope: 'openid profile', prompt: 'login consent' });
    const second = new Promise<URL>((resolve) => {
      void page.route('http://127.0.0.1:9999/callback**', async (route) => {
        resolve(new URL(route.request().url()));
        await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>client</p>' });
      });
    });
    await page.goto(start.url.href);
    // oidc-provider ends alice's session through a self-submitting logout form, then resumes.
    const logout = page.waitForRequest((request) => request.method() === 'POST' && new URL(request.url()).pathname === '/session/end/confirm');
    await signInThroughPage(page, 'bob');
    await logout;
    await submits(page, '/interaction/:uid/confirm', () => page.getByRole('button', { name: 'Allow' }).click());
    const tokens = await redeem(config, await second, start);
    assert.equal(tokens.claims()?.sub, (await server.portcullis.accounts.findByUsername('bob'))?.id);
  });

  it('Cancel on the login page lands at the client with access_denied and no code', async () => {
    const { page, landed } = await openLogin();
    await submits(page, '/interaction/:uid/abort', () => page.getByRole('button', { name: 'Cancel and return to Web App' }).click());
    const url = await landed;
    assert.equal(url.origin + url.pathname, 'http://127.0.0.1:9999/callback');
    assert.equal(url.searchParams.get('error'), 'access_denied');
    assert.ok(url.searchParams.get('state'));
    assert.equal(url.searchParams.get('code'), null);
  });
});
