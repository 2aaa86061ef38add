/**
 * The /account/mfa forms as rendered, submitted in headless Chromium: set up an authenticator,
 * make new backup codes, turn two-step verification off. (The sign-in code and enrolment pages
 * are in test/interactions/mfa.browser.test.ts.) Every form is filled and sent by the browser,
 * with the fields the page itself carries, by pressing the button the page renders, through
 * `submits` (pages.ts), which checks the press really POSTed to the form's action.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchBrowser } from '../support/browser.ts';
import { TestClock, totpAt } from '../support/mfa.ts';
import { signInThroughPage, submits } from '../support/pages.ts';
import { discover, startAuthorization } from '../support/rp.ts';
import { startServer, type TestServer } from '../support/server.ts';

if (chromiumMissing) console.warn(`\n*** ${chromiumMissing} ***\n`);

describe('account two-step verification pages in a real browser', { skip: chromiumMissing }, () => {
  const clock = new TestClock();
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let secret = '';

  before(async () => {
    server = await startServer({ options: { now: clock.now } });
    browser = await launchBrowser();
    context = await browser.newContext();
    page = await context.newPage();
    // Sign bob in at the issuer through a client; the account pages then use that session.
    const web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const start = await startAuthorization(web, { scope: 'openid' });
    await page.route('http://127.0.0.1:9999/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<p>client</p>' }));
    await page.goto(start.url.href);
    await signInThroughPage(page, 'bob');
    await submits(page, '/interaction/:uid/confirm', () => page.getByRole('button', { name: 'Allow' }).click());
    await page.waitForURL('http://127.0.0.1:9999/**');
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('sets up an authenticator from the account page', async () => {
    await page.goto(`${server.url}/account/mfa`);
    await page.getByRole('link', { name: 'Set up an authenticator app' }).click();
    await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    secret = ((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s/g, '');
    assert.match(secret, /^[A-Z2-7]{32}$/);
    await page.getByLabel('Code from the app').fill('000000');
    await submits(page, '/account/mfa/enrol', () => page.getByRole('button', { name: 'Turn on two-step verification' }).click());
    await page.getByRole('alert').waitFor();
    assert.match((await page.getByRole('alert').textContent()) ?? '', /not right/);
    await page.getByLabel('Code from the app').fill(await totpAt(secret, clock));
    await submits(page, '/account/mfa/enrol', () => page.getByRole('button', { name: 'Turn on two-step verification' }).click());
    await page.getByRole('heading', { name: 'Your backup codes' }).waitFor();
    assert.equal((await page.locator('#backup-codes code').allTextContents()).length, 10);
    await page.getByRole('link', { name: 'Done' }).click();
    await page.waitForURL(`${server.url}/account/mfa`);
    assert.match((await page.locator('main, body').first().textContent()) ?? '', /Two-step verification is on/);
  });

  it('makes new backup codes with a fresh code', async () => {
    assert.ok(secret, 'enrolment ran first');
    clock.advance(30);
    await page.goto(`${server.url}/account/mfa`);
    await page.locator('#regenerate-code').fill(await totpAt(secret, clock));
    await submits(page, '/account/mfa/backup-codes', () => page.getByRole('button', { name: 'Make new backup codes' }).click());
    await page.getByRole('heading', { name: 'Your backup codes' }).waitFor();
    assert.match((await page.locator('.lead').textContent()) ?? '', /old backup codes no longer work/);
    assert.equal((await page.locator('#backup-codes code').allTextContents()).length, 10);
    await page.getByRole('link', { name: 'Done' }).click();
    await page.waitForURL(`${server.url}/account/mfa`);
    assert.match((await page.locator('#backup-codes-left').textContent()) ?? '', /10\s+of 10/);
  });

  it('turns two-step verification off with a fresh code', async () => {
    assert.ok(secret, 'enrolment ran first');
    clock.advance(30);
    await page.goto(`${server.url}/account/mfa`);
    await page.locator('#remove-code').fill(await totpAt(secret, clock));
    await submits(page, '/account/mfa/remove', () => page.getByRole('button', { name: 'Turn off two-step verification' }).click());
    await page.getByRole('status').waitFor();
    assert.match((await page.getByRole('status').textContent()) ?? '', /Two-step verification is off/);
    const bob = await server.portcullis.accounts.findByUsername('bob');
    assert.equal(await server.portcullis.mfa.isEnrolled(bob?.id as string), false);
  });
});
