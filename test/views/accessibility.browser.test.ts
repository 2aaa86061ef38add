/**
 * Every page a person sees passes the automated accessibility check (axe-core, test/support/axe.ts)
 * in headless Chromium, in the light and the dark colour scheme, with the page's own CSP in force,
 * and needs no sideways scrolling at 320 px wide:
 * the sign-in steps (sign-in, a wrong password, second factor set-up, backup codes, the code page,
 * a used backup code, a password an administrator set, consent), the device pages, sign-out, the
 * error page, the self-service pages reached through the mailed links, and every page of the
 * account console — read from the console router at run time, so a page added there is checked
 * without being listed here. Pages are reached as a person reaches them (links, forms, mail).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { assertAccessible } from '../support/axe.ts';
import { chromiumMissing, launchBrowser } from '../support/browser.ts';
import { TestClock, totpAt } from '../support/mfa.ts';
import { clientPage, signInThroughPage, submits } from '../support/pages.ts';
import { consolePages } from '../support/routes.ts';
import { discover, startAuthorization } from '../support/rp.ts';
import { resetLinkFor, sentTo } from '../support/self-service.ts';
import { DEFAULT_BOOTSTRAP, PASSWORD, startServer, type TestServer } from '../support/server.ts';
import { type Inbox, linkIn, startInbox } from '../support/smtp.ts';

if (chromiumMissing) console.warn(`\n*** ${chromiumMissing} ***\n`);

const VIEWS = fileURLToPath(new URL('../../src/views/', import.meta.url));
const CHOSEN = 'seven quiet lanterns over the harbour';
const BOOTSTRAP = {
  ...DEFAULT_BOOTSTRAP,
  // carol's role requires a second factor: her first sign-in sets one up.
  users: [...DEFAULT_BOOTSTRAP.users, { username: 'carol', email: 'carol@example.com', name: 'Carol', roles: ['auditor'], password: PASSWORD }],
};

describe('every page a person sees passes the accessibility check', { skip: chromiumMissing }, () => {
  const clock = new TestClock();
  let inbox: Inbox;
  let server: TestServer;
  let browser: Browser;
  let web: oidc.Configuration;
  /** What was checked, for the last test (the check itself ran over the pages it should). */
  const checked: string[] = [];
  /** The <title> of every page checked, to find views no test reached. */
  const titles = new Set<string>();
  /** Minor findings (not failed on; see axe.ts), reported by the last test. */
  const minor: string[] = [];

  before(async () => {
    inbox = await startInbox();
    server = await startServer({
      env: { SMTP_URL: inbox.url, REGISTRATION: 'open', MFA_REQUIRED_ROLES: 'auditor' },
      bootstrap: BOOTSTRAP,
      options: { now: clock.now },
    });
    browser = await launchBrowser();
    web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await inbox?.close();
  });

  async function check(page: Page, what: string): Promise<void> {
    await page.waitForLoadState('load');
    for (const violation of await assertAccessible(page, what)) minor.push(`${what}: ${violation.id} (${violation.help})`);
    await assertReflows(page, what);
    await assertErrorDescribesField(page, what);
    checked.push(what);
    titles.add(await page.title());
  }

  /**
   * WCAG 1.4.10 reflow: at 320 CSS px wide (a phone, or 1280 px zoomed to 400 %) the page needs no
   * sideways scrolling.
   */
  async function assertReflows(page: Page, what: string): Promise<void> {
    const size = page.viewportSize();
    await page.setViewportSize({ width: 320, height: 640 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (size) await page.setViewportSize(size);
    assert.ok(overflow <= 0, `${what} (${page.url()}) scrolls sideways by ${overflow} px at 320 px wide`);
  }

  /**
   * A form page showing its error box (#form-error, role=alert) ties it to a field with
   * aria-describedby, so a screen reader that lands on the field reads why it was refused
   * (WCAG 3.3.1 / 1.3.1); an alert alone is announced once and then lost.
   */
  async function assertErrorDescribesField(page: Page, what: string): Promise<void> {
    if ((await page.locator('#form-error').count()) === 0 || (await page.locator('form input:not([type="hidden"]):not([hidden])').count()) === 0) return;
    const described = await page
      .locator('input')
      .evaluateAll((inputs) =>
        inputs.filter((input) => (input.getAttribute('aria-describedby') ?? '').split(/\s+/).includes('form-error')).map((input) => input.id),
      );
    assert.ok(described.length > 0, `${what} (${page.url()}) shows an error that no field points to with aria-describedby`);
  }

  async function atSignIn(): Promise<{ page: Page; landed: Promise<URL>; close(): Promise<void> }> {
    const client = await clientPage(browser);
    await client.page.goto((await startAuthorization(web, { scope: 'openid profile' })).url.href);
    await client.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    return client;
  }

  it('sign-in, a refused password, and consent', async () => {
    const { page, landed, close } = await atSignIn();
    await check(page, 'sign-in');
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('not the password at all');
    await submits(page, '/interaction/:uid/login', () => page.getByRole('button', { name: 'Sign in' }).click());
    await page.getByRole('alert').waitFor();
    await check(page, 'sign-in with an error');
    await signInThroughPage(page, 'alice');
    await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    await check(page, 'consent');
    await submits(page, '/interaction/:uid/confirm', () => page.getByRole('button', { name: 'Allow' }).click());
    await landed;
    await close();
  });

  it('second factor: set-up during sign-in, backup codes, the code page, a used backup code', async () => {
    const first = await atSignIn();
    await signInThroughPage(first.page, 'carol');
    await first.page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    await check(first.page, 'second factor set-up (sign-in)');
    const secret = ((await first.page.locator('#totp-secret').textContent()) ?? '').replace(/\s/g, '');
    await first.page.getByLabel('Code from the app').fill(await totpAt(secret, clock));
    await submits(first.page, '/interaction/:uid/mfa/enrol', () => first.page.getByRole('button', { name: 'Turn on two-step verification' }).click());
    await first.page.getByRole('heading', { name: 'Your backup codes' }).waitFor();
    await check(first.page, 'backup codes (sign-in)');
    const codes = (await first.page.locator('#backup-codes code').allTextContents()).map((code) => code.trim());
    await first.close();

    const second = await atSignIn();
    await signInThroughPage(second.page, 'carol');
    await second.page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    await check(second.page, 'second factor code');
    await second.page.getByLabel('Code', { exact: true }).fill('000000');
    await submits(second.page, '/interaction/:uid/mfa', () => second.page.getByRole('button', { name: 'Verify' }).click());
    await second.page.getByRole('alert').waitFor();
    await check(second.page, 'second factor code with an error');
    await second.page.getByText('Use a backup code instead').click();
    await second.page.getByLabel('Backup code').fill(codes[0] ?? '');
    await submits(second.page, '/interaction/:uid/mfa', () => second.page.getByRole('button', { name: 'Use backup code' }).click());
    await second.page.getByRole('heading', { name: 'Backup code used' }).waitFor();
    await check(second.page, 'backup code used');
    await second.close();
  });

  it('a password an administrator set must be replaced', async () => {
    await server.portcullis.accounts.create({ username: 'dora', password: PASSWORD, mustChangePassword: true });
    const { page, close } = await atSignIn();
    await signInThroughPage(page, 'dora');
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await check(page, 'new password (must change)');
    await close();
  });

  it('the device pages: code input, confirm, connected', async () => {
    const tv = await discover(server.url, 'tv');
    const device = await oidc.initiateDeviceAuthorization(tv, { scope: 'openid' });
    const { page, close } = await clientPage(browser);
    await page.goto(device.verification_uri);
    await page.getByRole('heading', { name: 'Connect a device' }).waitFor();
    await check(page, 'device code input');
    await page.fill('input[name="user_code"]', device.user_code);
    await submits(page, '/device', () => page.getByRole('button', { name: 'Continue' }).click());
    await page.getByRole('heading', { name: 'Confirm the device' }).waitFor();
    await check(page, 'device confirm');
    await submits(page, '/device', () => page.getByRole('button', { name: 'Continue' }).click());
    await signInThroughPage(page, 'alice');
    await submits(page, '/interaction/:uid/confirm', () => page.getByRole('button', { name: 'Allow' }).click());
    await page.getByRole('heading', { name: 'Device connected' }).waitFor();
    await check(page, 'device connected');
    await close();
  });

  it('sign-out: the question and the page after it', async () => {
    const { page, landed, close } = await atSignIn();
    await signInThroughPage(page, 'alice');
    await submits(page, '/interaction/:uid/confirm', () => page.getByRole('button', { name: 'Allow' }).click());
    await landed;
    // The client's page must have finished loading, or the next navigation races with it.
    await page.waitForURL((url) => url.pathname === '/callback', { waitUntil: 'load' });
    await page.goto(`${server.url}/session/end`);
    await page.getByRole('heading', { name: 'Sign out?' }).waitFor();
    await check(page, 'sign-out question');
    await submits(page, '/session/end/confirm', () => page.getByRole('button', { name: 'Yes, sign me out' }).click());
    await page.waitForLoadState('load');
    await check(page, 'signed out');
    await close();
  });

  it('the error page, and the page for an unknown address', async () => {
    const { page, close } = await clientPage(browser);
    const answer = await page.goto(`${server.url}/auth?client_id=no-such-client&response_type=code&scope=openid`);
    assert.equal(answer?.status(), 400);
    assert.match(answer?.headers()['content-type'] ?? '', /html/);
    await check(page, 'error page');
    // Whatever answers an unknown address (a plain 404 today, a styled page later): if it is a page, it is checked.
    const unknown = await page.goto(`${server.url}/no-such-page-here`);
    if (/html/.test(unknown?.headers()['content-type'] ?? '')) await check(page, 'not found');
    await close();
  });

  it('self-service: forgot, reset through the mailed link, sign-up, confirmation through the mailed link', async () => {
    const { page, close } = await clientPage(browser);
    await page.goto(`${server.url}/password/forgot`);
    await check(page, 'forgot password');
    await page.getByLabel('Username or email').fill('bob@example.com');
    await submits(page, '/password/forgot', () => page.getByRole('button', { name: 'Send the link' }).click());
    await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
    await check(page, 'reset link sent');

    await page.goto(`${server.url}${await resetLinkFor(server, inbox, 'bob@example.com')}`);
    await check(page, 'reset password');
    await page.getByLabel('New password', { exact: true }).fill(CHOSEN);
    await page.getByLabel('New password again').fill('not the same passphrase at all');
    await submits(page, '/password/reset/:token', () => page.getByRole('button', { name: 'Set the new password' }).click());
    await page.getByRole('alert').waitFor();
    await check(page, 'reset password with an error');
    await page.getByLabel('New password', { exact: true }).fill(CHOSEN);
    await page.getByLabel('New password again').fill(CHOSEN);
    await submits(page, '/password/reset/:token', () => page.getByRole('button', { name: 'Set the new password' }).click());
    await page.getByRole('heading', { name: 'Password changed' }).waitFor();
    await check(page, 'password reset done');
    await page.goto(`${server.url}/password/reset/${'x'.repeat(43)}`);
    await check(page, 'reset link that does not work');

    await page.goto(`${server.url}/signup`);
    await check(page, 'sign-up');
    await page.getByLabel('Email').fill('erin@example.com');
    await page.getByLabel('Name').fill('Erin');
    await page.getByLabel('Password', { exact: true }).fill('password');
    await page.getByLabel('Password again').fill('password');
    await submits(page, '/signup', () => page.getByRole('button', { name: 'Create the account' }).click());
    await page.getByRole('alert').waitFor();
    await check(page, 'sign-up with an error');
    await page.getByLabel('Password', { exact: true }).fill(CHOSEN);
    await page.getByLabel('Password again').fill(CHOSEN);
    await submits(page, '/signup', () => page.getByRole('button', { name: 'Create the account' }).click());
    await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
    const link = linkIn(await inbox.waitFor(sentTo('erin@example.com')), `${server.url}/email/verify/`);
    assert.ok(link, 'the sign-up mail has its link');
    await page.goto(link);
    await check(page, 'confirm the address');
    await submits(page, '/email/verify/:token', () => page.getByRole('button', { name: 'Confirm and create the account' }).click());
    await page.getByRole('heading', { name: 'Account created' }).waitFor();
    await check(page, 'account created');
    await close();
  });

  it('every page of the account console, as the console router lists them, and what its forms answer', async () => {
    const pages = consolePages(server.portcullis.app.middleware);
    for (const known of ['/account', '/account/sessions', '/account/password', '/account/mfa', '/account/mfa/enrol']) {
      assert.ok(pages.includes(known), `${known} is among the console's pages (${pages.join(', ')})`);
    }
    const { page, close } = await clientPage(browser);
    // Opened by address: the console signs in through the issuer's own sign-in page.
    await page.goto(`${server.url}/account`);
    await signInThroughPage(page, 'alice');
    await page.waitForURL(`${server.url}/account`);
    const notPages: string[] = [];
    for (const path of pages) {
      // A GET that answers a download (Your data) or JSON is not a page to check.
      const answer = await page.goto(`${server.url}${path}`).catch((error: Error) => {
        if (/Download is starting/.test(error.message)) return 'download' as const;
        throw error;
      });
      const type = answer === 'download' ? 'a download' : (answer?.headers()['content-type'] ?? '');
      if (answer === 'download' || !/html/.test(type)) {
        notPages.push(`${path} (${type})`);
        continue;
      }
      assert.ok((answer?.status() ?? 500) < 400, `${path} answered ${answer?.status()}`);
      await check(page, `console ${path}`);
    }
    for (const known of ['/account', '/account/sessions', '/account/password', '/account/mfa']) {
      assert.ok(checked.includes(`console ${known}`), `${known} was checked as a page (not pages: ${notPages.join(', ')})`);
    }

    await page.goto(`${server.url}/account/password`);
    await page.getByLabel('Current password').fill('not the password at all');
    await page.getByLabel('New password', { exact: true }).fill(CHOSEN);
    await page.getByLabel('New password again').fill(CHOSEN);
    await submits(page, '/account/password', () => page.getByRole('button', { name: 'Change password' }).click());
    await page.getByRole('alert').waitFor();
    await check(page, 'console password with an error');

    await page.goto(`${server.url}/account/mfa/enrol`);
    const secret = ((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s/g, '');
    await page.getByLabel('Code from the app').fill(await totpAt(secret, clock));
    await submits(page, '/account/mfa/enrol', () => page.getByRole('button', { name: 'Turn on two-step verification' }).click());
    await page.getByRole('heading', { name: 'Your backup codes' }).waitFor();
    await check(page, 'console backup codes');
    await page.goto(`${server.url}/account/mfa`);
    await check(page, 'console two-step verification, on');

    // The email change's link page, reached from the mail, and "This wasn't me" (it ends other sessions: last).
    await page.goto(`${server.url}/account/profile`);
    await page.locator('#email').fill('alice.moved@example.org');
    await submits(page, '/account/profile/email', () => page.getByRole('button', { name: 'Send the verification link' }).click());
    const changeLink = linkIn(await inbox.waitFor(sentTo('alice.moved@example.org')), `${server.url}/account/email/confirm/`);
    assert.ok(changeLink, 'the email-change link arrived');
    await page.goto(changeLink);
    await check(page, 'confirm the new email address');
    await page.goto(`${server.url}/account/activity`);
    await submits(page, '/account/activity/not-me', () => page.getByRole('button', { name: 'This wasn’t me' }).click());
    await check(page, 'signed out everywhere else');
    await close();
  });

  it('every view with a fixed title was checked: a page added without a check here fails this', () => {
    // message, done, error and mfa-enrol take their title from the caller; the pages above
    // render each of them at least once.
    const fixed = readdirSync(VIEWS)
      .filter((name) => name.endsWith('.ejs'))
      .flatMap((view) => {
        const title = /include\('\/partials\/head', \{ title: '([^']+)' \}\)/.exec(readFileSync(`${VIEWS}${view}`, 'utf8'))?.[1];
        return title ? [{ view, title }] : [];
      });
    assert.ok(
      fixed.some(({ view }) => view === 'login.ejs'),
      'the scan finds the views',
    );
    const missed = fixed.filter(({ title }) => !titles.has(`${title} · Portcullis`)).map(({ view, title }) => `${view} ("${title}")`);
    assert.deepEqual(missed, [], 'views no page in this test showed: reach each one above and check() it');
  });

  it('checked the pages above (the check itself ran)', (t) => {
    t.diagnostic(`${checked.length} pages checked; minor findings: ${minor.length === 0 ? 'none' : minor.join('; ')}`);
    for (const what of ['sign-in', 'consent', 'second factor code', 'device confirm', 'sign-out question', 'error page', 'sign-up', 'console /account']) {
      assert.ok(checked.includes(what), `${what} was checked (${checked.join(', ')})`);
    }
  });
});
