/**
 * The self-service pages in headless Chromium, each form submitted as it is rendered: from the
 * sign-in page's "Forgot your password?" link through the mailed link to a new password, and
 * sign-up through the confirmation link's button. A form whose fields the schema refuses, or
 * whose CSRF token the browser does not send back, fails here while hand-built posts pass.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromiumMissing, launchBrowser } from '../support/browser.ts';
import { Browserless } from '../support/browserless.ts';
import { clientPage, submits } from '../support/pages.ts';
import { discover, startAuthorization } from '../support/rp.ts';
import { resetLinkFor, sentTo } from '../support/self-service.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';
import { type Inbox, linkIn, startInbox } from '../support/smtp.ts';

if (chromiumMissing) console.warn(`\n*** ${chromiumMissing} ***\n`);

const CHOSEN = 'a fresh river of quiet stones';

describe('self-service pages in a real browser', { skip: chromiumMissing }, () => {
  let inbox: Inbox;
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    inbox = await startInbox();
    server = await startServer({ env: { SMTP_URL: inbox.url, REGISTRATION: 'open' } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await inbox?.close();
  });

  async function signsIn(username: string, password: string): Promise<boolean> {
    const web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    try {
      return (await new Browserless(server.url).authorize((await startAuthorization(web, { scope: 'openid' })).url.href, username, password)).searchParams.has(
        'code',
      );
    } catch (error) {
      if (/form answered 401/.test(String(error))) return false;
      throw error;
    }
  }

  it('resets a password from the sign-in page’s link through the mailed link', async () => {
    await server.portcullis.accounts.create({ username: 'lena', email: 'lena@example.com', emailVerified: true, password: PASSWORD });
    const web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const { page, close } = await clientPage(browser);
    await page.goto((await startAuthorization(web, { scope: 'openid' })).url.href);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.waitForURL(`${server.url}/password/forgot`);
    await page.getByLabel('Username or email').fill('lena@example.com');
    const asked = await submits(page, '/password/forgot', () => page.getByRole('button', { name: 'Send the link' }).click());
    assert.equal((await asked.response())?.status(), 200);
    await page.getByRole('heading', { name: 'Check your mail' }).waitFor();

    const link = await resetLinkFor(server, inbox, 'lena@example.com');
    await page.goto(`${server.url}${link}`);
    await page.getByLabel('New password', { exact: true }).fill(CHOSEN);
    await page.getByLabel('New password again').fill(CHOSEN);
    const set = await submits(page, '/password/reset/:token', () => page.getByRole('button', { name: 'Set the new password' }).click());
    const answer = await set.response();
    assert.equal(answer?.status(), 200, await answer?.text());
    await page.getByRole('heading', { name: 'Password changed' }).waitFor();
    assert.equal(await signsIn('lena', CHOSEN), true);
    await close();
  });

  it('signs up and confirms the address with the page’s button', async () => {
    const { page, close } = await clientPage(browser);
    await page.goto(`${server.url}/signup`);
    await page.getByLabel('Email').fill('mona@example.com');
    await page.getByLabel('Name').fill('Mona');
    await page.getByLabel('Password', { exact: true }).fill(CHOSEN);
    await page.getByLabel('Password again').fill(CHOSEN);
    const signed = await submits(page, '/signup', () => page.getByRole('button', { name: 'Create the account' }).click());
    assert.equal((await signed.response())?.status(), 200);
    await page.getByRole('heading', { name: 'Check your mail' }).waitFor();

    const mail = await inbox.waitFor(sentTo('mona@example.com'));
    const link = linkIn(mail, `${server.url}/email/verify/`);
    assert.ok(link);
    await page.goto(link);
    assert.equal(await server.portcullis.accounts.findByUsername('mona@example.com'), undefined, 'opening the link creates nothing');
    const confirmed = await submits(page, '/email/verify/:token', () => page.getByRole('button', { name: 'Confirm and create the account' }).click());
    assert.equal((await confirmed.response())?.status(), 201);
    await page.getByRole('heading', { name: 'Account created' }).waitFor();
    assert.equal(await signsIn('mona@example.com', CHOSEN), true);
    await close();
  });
});
