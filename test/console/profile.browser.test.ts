/**
 * The profile page in headless Chromium, its forms submitted as rendered: a name change, and an
 * email change — the verification link arrives at the NEW address on a loopback SMTP server, the
 * old address gets a notice, and an application signing the person in afresh (openid-client)
 * keeps seeing the old address until the link's button is pressed, then the new one, verified.
 *
 * Where the address shows: the ID token carries the granted scopes' claims (oidc-provider
 * `conformIdTokenClaims: false`), and userinfo says the same; the test reads both from one sign-in.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchBrowser } from '../support/browser.ts';
import { Browserless } from '../support/browserless.ts';
import { submits } from '../support/pages.ts';
import { CALLBACK, discover, redeem, startAuthorization } from '../support/rp.ts';
import { sentTo } from '../support/self-service.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';
import { type Inbox, linkIn, startInbox } from '../support/smtp.ts';

if (chromiumMissing) console.warn(`\n*** ${chromiumMissing} ***\n`);

describe('email change in a real browser', { skip: chromiumMissing }, () => {
  let inbox: Inbox;
  let server: TestServer;
  let browser: Browser;
  let app: oidc.Configuration;

  before(async () => {
    inbox = await startInbox();
    server = await startServer({ env: { SMTP_URL: inbox.url } });
    browser = await launchBrowser();
    app = await discover(server.url, 'first-party', 'first-party-secret-that-is-long-enough');
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await inbox?.close();
  });

  /** The first sign-in, through the rendered login form; the application's callback is answered locally. */
  async function firstSignIn(page: Page) {
    const start = await startAuthorization(app, { scope: 'openid email' });
    start.url.searchParams.delete('prompt');
    const landed = new Promise<URL>((resolve) => {
      void page.route(`${new URL(CALLBACK).origin}/**`, async (route) => {
        resolve(new URL(route.request().url()));
        await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>client</p>' });
      });
    });
    await page.goto(start.url.href);
    await page.getByLabel('Username').fill('nell');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const callback = await landed;
    await page.waitForURL((url) => url.origin === new URL(CALLBACK).origin);
    await page.unroute(`${new URL(CALLBACK).origin}/**`);
    return told(await redeem(app, callback, start));
  }

  /**
   * The application signs the person in again, silently, with this browser's issuer session (its
   * cookies, copied into a cookie jar: Chromium's interception of a redirect to an origin where
   * nothing listens is not reliable past the first one), and reads what it is told.
   */
  async function freshSignIn(context: BrowserContext) {
    const start = await startAuthorization(app, { scope: 'openid email' });
    start.url.searchParams.delete('prompt');
    const jar = new Browserless(server.url);
    for (const cookie of await context.cookies(server.url)) jar.jar.set(cookie.name, cookie.value);
    const callback = await jar.authorize(start.url.href, 'nobody', 'no password: the session is enough');
    return told(await redeem(app, callback, start));
  }

  async function told(tokens: Awaited<ReturnType<typeof redeem>>) {
    const claims = tokens.claims();
    assert.ok(claims);
    const info = await oidc.fetchUserInfo(app, tokens.access_token, claims.sub);
    assert.equal(info.email, claims.email, 'userinfo and the ID token agree');
    assert.equal(info.email_verified, claims.email_verified);
    return { sub: claims.sub, email: claims.email, emailVerified: claims.email_verified };
  }

  it('needs the link mailed to the new address before the application sees it', async () => {
    const account = await server.portcullis.accounts.create({
      username: 'nell',
      email: 'nell@example.com',
      emailVerified: true,
      name: 'Nell',
      password: PASSWORD,
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    const before = await firstSignIn(page);
    assert.deepEqual(before, { sub: account.id, email: 'nell@example.com', emailVerified: true });

    await page.goto(`${server.url}/account`);
    await page.getByRole('link', { name: 'Profile' }).click();
    await page.waitForURL(`${server.url}/account/profile`);
    await page.getByLabel('Name', { exact: true }).fill('Nell Newname');
    const named = await submits(page, '/account/profile', () => page.getByRole('button', { name: 'Save name' }).click());
    assert.equal((await named.response())?.status(), 303);
    await page.getByText('Your name is saved.').waitFor();
    assert.equal((await server.portcullis.accounts.findById(account.id))?.name, 'Nell Newname');
    await page.getByLabel('New email address').fill('nell.new@example.org');
    const asked = await submits(page, '/account/profile/email', () => page.getByRole('button', { name: 'Send the verification link' }).click());
    assert.equal((await asked.response())?.status(), 303);
    await page.getByText('nell.new@example.org').first().waitFor();

    const mail = await inbox.waitFor(sentTo('nell.new@example.org'));
    const link = linkIn(mail, `${server.url}/account/email/confirm/`);
    assert.ok(link, 'the verification link went to the new address');
    const notice = await inbox.waitFor(sentTo('nell@example.com'));
    assert.equal(linkIn(notice, server.url), undefined, 'the old address is told, with nothing to click');

    assert.deepEqual(await freshSignIn(context), before, 'until the link is used the application sees the old, verified address');

    await page.goto(link);
    assert.deepEqual(await freshSignIn(context), before, 'opening the link (as a mail scanner would) changes nothing');
    await page.goto(link);
    const confirmed = await submits(page, '/account/email/confirm/:token', () => page.getByRole('button', { name: 'Confirm the new address' }).click());
    assert.equal((await confirmed.response())?.status(), 200);
    await page.getByRole('heading', { name: 'Email address changed' }).waitFor();

    assert.deepEqual(await freshSignIn(context), { sub: account.id, email: 'nell.new@example.org', emailVerified: true });
    const changed = await inbox.waitFor(sentTo('nell@example.com'));
    assert.match(changed.subject ?? '', /was changed/);
    await context.close();
  });
});
