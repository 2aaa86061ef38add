/**
 * The account console reached on its own, in headless Chromium: a person opens
 * /account/sessions with no cookies, is sent to the issuer's sign-in page, submits it as rendered
 * and lands back on /account/sessions; the fresh sign-in is enough to set up an authenticator at
 * /account/mfa; signing out at the issuer ends the console session; JSON without a session is
 * 401 login_required; crafted return-to addresses never take the browser off-site.
 * (account-signin.test.ts covers the same without a browser, and the cookies in detail.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchBrowser } from '../support/browser.ts';
import { TestClock, totpAt } from '../support/mfa.ts';
import { signInThroughPage, submits } from '../support/pages.ts';
import { startServer, type TestServer } from '../support/server.ts';

if (chromiumMissing) console.warn(`\n*** ${chromiumMissing} ***\n`);

describe('account console sign-in in a real browser', { skip: chromiumMissing }, () => {
  const clock = new TestClock();
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    server = await startServer({ options: { now: clock.now } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A fresh browser profile whose every visit to another origin is recorded and answered locally. */
  async function freshPage(): Promise<{ page: Page; context: BrowserContext; offsite: string[] }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const offsite: string[] = [];
    await context.route(
      (url) => url.origin !== server.url,
      async (route) => {
        offsite.push(route.request().url());
        await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>elsewhere</p>' });
      },
    );
    return { page, context, offsite };
  }

  it('signs in from /account/sessions with no cookies, returns there, sets up an authenticator, and signing out at the issuer ends it', async () => {
    const { page, context, offsite } = await freshPage();
    await page.goto(`${server.url}/account/sessions`);
    await page.getByLabel('Username').waitFor();
    assert.match(page.url(), /\/interaction\//, 'the issuer’s own sign-in page');
    await signInThroughPage(page, 'bob');
    await page.waitForURL(`${server.url}/account/sessions`);
    await page.getByRole('heading', { name: 'Your sessions' }).waitFor();
    assert.equal(await page.locator('li.session[data-current="true"]').count(), 1);
    assert.doesNotMatch((await page.locator('.applications').first().textContent()) ?? '', /Your account/, 'the console is not listed as an application');

    // The home page links to the sections.
    await page.goto(`${server.url}/account`);
    await page.getByRole('link', { name: 'Two-step verification' }).click();
    await page.waitForURL(`${server.url}/account/mfa`);

    // Setting up an authenticator needs a sign-in from the last 5 minutes: the console's counts.
    await page.getByRole('link', { name: 'Set up an authenticator app' }).click();
    await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    const secret = ((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s/g, '');
    await page.getByLabel('Code from the app').fill(await totpAt(secret, clock));
    await submits(page, '/account/mfa/enrol', () => page.getByRole('button', { name: 'Turn on two-step verification' }).click());
    await page.getByRole('heading', { name: 'Your backup codes' }).waitFor();
    const bob = await server.portcullis.accounts.findByUsername('bob');
    assert.equal(await server.portcullis.mfa.isEnrolled(bob?.id as string), true);

    // Signing out at the issuer ends the console session.
    const json = { headers: { accept: 'application/json' } };
    assert.equal((await context.request.get(`${server.url}/account`, json)).status(), 200);
    await page.goto(`${server.url}/session/end?client_id=portcullis-account`);
    await page.getByRole('heading', { name: 'Sign out?' }).waitFor();
    await submits(page, '/session/end/confirm', () => page.getByRole('button', { name: 'Yes, sign me out' }).click());
    await page.waitForLoadState();
    const after = await context.request.get(`${server.url}/account`, json);
    assert.equal(after.status(), 401);
    assert.equal(((await after.json()) as { error: string }).error, 'login_required');
    await page.goto(`${server.url}/account/sessions`);
    await page.getByLabel('Username').waitFor();
    assert.match(page.url(), /\/interaction\//, 'the next visit signs in again');
    assert.deepEqual(offsite, []);
    await context.close();
  });

  it('a JSON request without a session gets 401 login_required, not a redirect', async () => {
    const { context } = await freshPage();
    const response = await context.request.get(`${server.url}/account/sessions`, { headers: { accept: 'application/json' }, maxRedirects: 0 });
    assert.equal(response.status(), 401);
    assert.equal(((await response.json()) as { error: string }).error, 'login_required');
    await context.close();
  });

  it('crafted return-to addresses never leave the site', async () => {
    const { page, context, offsite } = await freshPage();
    await page.goto(`${server.url}/account`);
    await signInThroughPage(page, 'alice');
    await page.waitForURL(`${server.url}/account**`);
    let callbacks = 0;
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/account/callback') callbacks += 1;
    });
    // Real console routes with a return-to that a careless check would follow off-site, and
    // paths that are no route at all (404, no sign-in).
    const crafted = [
      '?//evil.example',
      '/sessions?next=https://evil.example',
      '/mfa?/\\evil',
      '?%2F%2Fevil.example',
      '//evil.example',
      '/%5Cevil',
      '/..%2F..%2F%2Fevil.example',
    ];
    for (const [index, tail] of crafted.entries()) {
      await context.clearCookies({ name: 'portcullis.account' });
      await page.goto(`${server.url}/account${tail}`);
      await page.waitForLoadState();
      assert.ok(page.url().startsWith(`${server.url}/account`), `${tail} ended at ${page.url()}`);
      if (index < 4) assert.equal(callbacks, index + 1, `${tail} went through the console sign-in`);
    }
    assert.deepEqual(offsite, [], 'no request left the site');
    await context.close();
  });
});
