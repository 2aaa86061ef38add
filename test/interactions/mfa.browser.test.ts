/**
 * Two-step verification through the real pages in headless Chromium: a person whose role
 * requires MFA sets up an authenticator during sign-in (the test reads the secret off the page
 * and computes the code as an app would), then signs in with a TOTP code, then with a backup code;
 * Cancel on the code page and on the enrolment page goes back to the client with access_denied.
 * Every form is sent by pressing the button the page renders, through `submits` (pages.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { ACR_MFA } from '../../src/mfa/acr.ts';
import { chromiumMissing, launchBrowser } from '../support/browser.ts';
import { TestClock, totpAt } from '../support/mfa.ts';
import { clientPage, signInThroughPage, submits } from '../support/pages.ts';
import { type AuthorizationStart, CALLBACK, discover, redeem, startAuthorization } from '../support/rp.ts';
import { DEFAULT_BOOTSTRAP, PASSWORD, startServer, type TestServer } from '../support/server.ts';

if (chromiumMissing) console.warn(`\n*** ${chromiumMissing} ***\n`);

const BOOTSTRAP = {
  ...DEFAULT_BOOTSTRAP,
  users: [
    ...DEFAULT_BOOTSTRAP.users,
    { username: 'carol', name: 'Carol', roles: ['auditor'], password: PASSWORD },
    // Never finishes enrolment: she cancels on the set-up page.
    { username: 'dave', name: 'Dave', roles: ['auditor'], password: PASSWORD },
  ],
};

describe('two-step verification in a real browser', { skip: chromiumMissing }, () => {
  const clock = new TestClock();
  let server: TestServer;
  let browser: Browser;
  let web: oidc.Configuration;
  let secret = '';
  let backupCodes: string[] = [];

  before(async () => {
    server = await startServer({ env: { MFA_REQUIRED_ROLES: 'auditor' }, bootstrap: BOOTSTRAP, options: { now: clock.now } });
    browser = await launchBrowser();
    web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Opens a fresh browser at the sign-in page and signs in; `landed` resolves when it reaches the client. */
  async function signInWithPassword(username = 'carol'): Promise<{ page: Page; landed: Promise<URL>; start: AuthorizationStart; problems: string[] }> {
    const start = await startAuthorization(web, { scope: 'openid profile' });
    const { page, landed } = await clientPage(browser);
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.goto(start.url.href);
    await signInThroughPage(page, username);
    return { page, landed, start, problems };
  }

  async function consentAndRedeem(page: Page, landed: Promise<URL>, start: AuthorizationStart) {
    await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    await submits(page, '/interaction/:uid/confirm', () => page.getByRole('button', { name: 'Allow' }).click());
    const tokens = await redeem(web, await landed, start);
    return tokens.claims();
  }

  /** The client got the person's "no": access_denied with its own state, and no code to redeem. */
  function assertDenied(url: URL, start: AuthorizationStart) {
    assert.equal(url.origin + url.pathname, CALLBACK);
    assert.equal(url.searchParams.get('error'), 'access_denied');
    assert.equal(url.searchParams.get('state'), start.state);
    assert.equal(url.searchParams.get('code'), null);
  }

  async function assertCodeInput(page: Page, selector: string) {
    assert.equal(await page.getAttribute(selector, 'name'), 'code');
    assert.equal(await page.getAttribute(selector, 'autocomplete'), 'one-time-code');
    assert.equal(await page.getAttribute(selector, 'inputmode'), 'numeric');
  }

  it('sets up an authenticator during sign-in: QR code and secret, first code, backup codes once', async () => {
    const { page, landed, start, problems } = await signInWithPassword();
    await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    // The QR code is an inline SVG data URI: it must actually render under the CSP.
    const qrWidth = await page.locator('img.qr').evaluate((image) => (image as HTMLImageElement).naturalWidth);
    assert.ok(qrWidth > 0, 'the QR code image rendered');
    secret = ((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s/g, '');
    assert.match(secret, /^[A-Z2-7]{32}$/);
    await assertCodeInput(page, '#code');
    await page.getByLabel('Code from the app').fill(await totpAt(secret, clock));
    await submits(page, '/interaction/:uid/mfa/enrol', () => page.getByRole('button', { name: 'Turn on two-step verification' }).click());

    await page.getByRole('heading', { name: 'Your backup codes' }).waitFor();
    backupCodes = (await page.locator('#backup-codes code').allTextContents()).map((code) => code.trim());
    assert.equal(backupCodes.length, 10);
    await page.getByRole('link', { name: 'Continue' }).click();
    const claims = await consentAndRedeem(page, landed, start);
    assert.deepEqual(claims?.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(claims?.acr, ACR_MFA);
    assert.deepEqual(
      problems.filter((text) => /Content Security Policy/i.test(text)),
      [],
    );
  });

  it('signs in with a code from the authenticator', async () => {
    assert.ok(secret, 'enrolment ran first');
    clock.advance(30);
    const { page, landed, start } = await signInWithPassword();
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    await assertCodeInput(page, '#code');
    await page.getByLabel('Code', { exact: true }).fill('000000');
    await submits(page, '/interaction/:uid/mfa', () => page.getByRole('button', { name: 'Verify' }).click());
    await page.getByRole('alert').waitFor();
    assert.match((await page.getByRole('alert').textContent()) ?? '', /not right/);
    await page.getByLabel('Code', { exact: true }).fill(await totpAt(secret, clock));
    await submits(page, '/interaction/:uid/mfa', () => page.getByRole('button', { name: 'Verify' }).click());
    const claims = await consentAndRedeem(page, landed, start);
    assert.deepEqual(claims?.amr, ['pwd', 'otp', 'mfa']);
  });

  it('signs in with a backup code and says how many are left', async () => {
    assert.equal(backupCodes.length, 10, 'enrolment ran first');
    const { page, landed, start } = await signInWithPassword();
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    await page.getByText('Use a backup code instead').click();
    await page.getByLabel('Backup code').fill(backupCodes[0] as string);
    await submits(page, '/interaction/:uid/mfa', () => page.getByRole('button', { name: 'Use backup code' }).click());
    await page.getByRole('heading', { name: 'Backup code used' }).waitFor();
    assert.equal((await page.locator('#codes-left').textContent())?.trim(), '9');
    await page.getByRole('link', { name: 'Continue' }).click();
    const claims = await consentAndRedeem(page, landed, start);
    assert.deepEqual(claims?.amr, ['pwd', 'otp', 'mfa']);
  });

  it('Cancel on the code page lands at the client with access_denied and no code, and signs nobody in', async () => {
    assert.ok(secret, 'enrolment ran first');
    const { page, landed, start } = await signInWithPassword();
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    await submits(page, '/interaction/:uid/abort', () => page.getByRole('button', { name: 'Cancel and return to Web App' }).click());
    assertDenied(await landed, start);
    await page.waitForURL(`${CALLBACK}**`);
    // The password alone left no session: a new sign-in in this browser starts at the password page.
    await page.goto((await startAuthorization(web, { scope: 'openid profile' })).url.href);
    assert.equal((await page.locator('h1').textContent())?.trim(), 'Sign in');
  });

  it('Cancel on the enrolment page lands at the client with access_denied and no code, and sets nothing up', async () => {
    const { page, landed, start } = await signInWithPassword('dave');
    await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    await submits(page, '/interaction/:uid/abort', () => page.getByRole('button', { name: 'Cancel and return to Web App' }).click());
    assertDenied(await landed, start);
    const dave = await server.portcullis.accounts.findByUsername('dave');
    assert.equal(await server.portcullis.mfa.isEnrolled(dave?.id as string), false);
  });
});
