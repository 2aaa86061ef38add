/**
 * The password-change page in headless Chromium, submitted as it is rendered: the browser sends
 * every field the form carries (including the hidden username that password managers read), so
 * a schema that refuses one of them breaks the page for everyone while hand-built posts pass.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launchBrowser } from '../support/browser.ts';
import { Browserless } from '../support/browserless.ts';
import { submits } from '../support/pages.ts';
import { CALLBACK, discover, startAuthorization } from '../support/rp.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

if (chromiumMissing) console.warn(`\n*** ${chromiumMissing} ***\n`);

const NEW_PASSWORD = 'a different passphrase entirely';

describe('password-change page in a real browser', { skip: chromiumMissing }, () => {
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

  /** Signs in through the pages and stops at the client's callback. */
  async function signInPage(username: string, password: string): Promise<Page> {
    const config = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const start = await startAuthorization(config, { scope: 'openid profile' });
    const page = await (await browser.newContext()).newPage();
    const landed = new Promise<void>((resolve) => {
      void page.route(`${new URL(CALLBACK).origin}/**`, async (route) => {
        resolve();
        await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>client</p>' });
      });
    });
    await page.goto(start.url.href);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await landed;
    // The route answers before the navigation commits; a goto now would interrupt it.
    await page.waitForURL((url) => url.origin === new URL(CALLBACK).origin);
    return page;
  }

  /** True when the login form accepts this password (without a browser: a fresh cookie jar). */
  async function passwordWorks(username: string, password: string): Promise<boolean> {
    const config = await discover(server.url, 'first-party', 'first-party-secret-that-is-long-enough');
    const start = await startAuthorization(config, { scope: 'openid' });
    try {
      const callback = await new Browserless(server.url).authorize(start.url.href, username, password);
      return callback.searchParams.has('code');
    } catch (error) {
      if (/form answered 401/.test(String(error))) return false;
      throw error;
    }
  }

  it('changes the password through the form as rendered', async () => {
    await server.portcullis.accounts.create({ username: 'jill', name: 'Jill Example', password: PASSWORD });
    const page = await signInPage('jill', PASSWORD);
    await page.goto(`${server.url}/account/password`);
    assert.equal(await page.getAttribute('input[autocomplete="username"]', 'value'), 'jill', 'password managers file the new password under the username');
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    const posted = await submits(page, '/account/password', () => page.getByRole('button', { name: 'Change password' }).click());
    const answer = await posted.response();
    assert.ok(answer);
    assert.equal(answer.status(), 200, await answer.text());
    await page.getByRole('heading', { name: 'Password changed' }).waitFor();

    assert.equal(await passwordWorks('jill', NEW_PASSWORD), true, 'the new password signs in');
    assert.equal(await passwordWorks('jill', PASSWORD), false, 'the old one does not');
  });

  it('shows a wrong current password on the page, in the browser, without changing anything', async () => {
    await server.portcullis.accounts.create({ username: 'kim', password: PASSWORD });
    const page = await signInPage('kim', PASSWORD);
    await page.goto(`${server.url}/account/password`);
    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await submits(page, '/account/password', () => page.getByRole('button', { name: 'Change password' }).click());
    assert.match((await page.getByRole('alert').textContent()) ?? '', /current password is not right/);
    assert.equal(await passwordWorks('kim', PASSWORD), true);
  });
});
