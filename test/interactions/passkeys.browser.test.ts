/**
 * Passkeys end to end in headless Chromium with the DevTools virtual authenticator (CTAP2,
 * internal transport, resident keys and user verification on), the issuer at
 * http://localhost:<port> (WebAuthn refuses IP addresses; the listener stays on 127.0.0.1).
 * Every form is the rendered one, submitted by pressing its button (pages.ts `submits`); the
 * relying party is openid-client, and the ID token's amr and acr are checked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ACR_MFA, ACR_PHR } from '../../src/mfa/acr.ts';
import { chromiumMissing, launchBrowser } from '../support/browser.ts';
import { signInThroughPage, submits } from '../support/pages.ts';
import { CALLBACK, discover, redeem, startAuthorization } from '../support/rp.ts';
import { freePort, startServer, type TestServer } from '../support/server.ts';

if (chromiumMissing) console.warn(`\n*** ${chromiumMissing} ***\n`);

describe('passkeys in a real browser', { skip: chromiumMissing }, () => {
  let server: TestServer;
  let issuer: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let rp: Awaited<ReturnType<typeof discover>>;
  let cdp: Awaited<ReturnType<BrowserContext['newCDPSession']>>;
  let authenticatorId = '';

  before(async () => {
    const port = await freePort();
    issuer = `http://localhost:${port}`;
    server = await startServer({ port, env: { ISSUER: issuer } });
    browser = await launchBrowser();
    context = await browser.newContext();
    page = await context.newPage();
    await page.route(`${new URL(CALLBACK).origin}/**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<p>client</p>' }));
    cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    }));
    rp = await discover(issuer, 'web-app', 'web-app-secret-that-is-long-enough');
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /**
   * Runs an authorization request to the end: `signIn` opens the authorization URL and gets the
   * browser past the sign-in pages; consent is given; the code is redeemed.
   */
  async function authorize(params: Record<string, string>, signIn: (url: string) => Promise<void>) {
    const start = await startAuthorization(rp, { scope: 'openid', ...params });
    await signIn(start.url.href);
    await page.getByRole('button', { name: 'Allow' }).waitFor();
    await submits(page, '/interaction/:uid/confirm', () => page.getByRole('button', { name: 'Allow' }).click());
    await page.waitForURL(`${new URL(CALLBACK).origin}/**`);
    const tokens = await redeem(rp, new URL(page.url()), start);
    return tokens.claims() as { sub: string; amr?: string[]; acr?: string };
  }

  async function signOut() {
    await page.goto(`${issuer}/session/end?client_id=web-app`);
    await submits(page, '/session/end/confirm', () => page.getByRole('button', { name: 'Yes, sign me out' }).click());
    await page.waitForLoadState();
  }

  const passkeyButton = () => page.getByRole('button', { name: 'Sign in with a passkey' });

  it('registers a passkey at /account', async () => {
    await authorize({}, async (url) => {
      await page.goto(url);
      await signInThroughPage(page, 'bob');
    });
    await page.goto(`${issuer}/account/mfa`);
    await page.getByRole('heading', { name: 'Passkeys' }).waitFor();
    await page.getByLabel('Name for this passkey (optional)').fill('Test laptop');
    await submits(page, '/account/passkeys', () => page.getByRole('button', { name: 'Add a passkey' }).click());
    await page.waitForURL(`${issuer}/account/mfa?done=passkey_added`);
    assert.match((await page.locator('#passkeys').textContent()) ?? '', /Test laptop[\s\S]*not used yet/);
    await page.getByLabel('New name for Test laptop').fill('Work laptop');
    await submits(page, '/account/passkeys/rename', () => page.getByRole('button', { name: 'Rename' }).click());
    await page.waitForURL(`${issuer}/account/mfa?done=passkey_renamed`);
    assert.match((await page.locator('#passkeys').textContent()) ?? '', /Work laptop/);
    await signOut();
  });

  it('signs in password-less from the username field’s autofill (conditional UI): amr swk user mfa, the multi-factor acr', async () => {
    const claims = await authorize({}, async (url) => {
      // The virtual authenticator answers the conditional request the login page makes on load, as a person picking the passkey would.
      await submits(page, '/interaction/:uid/passkey', async () => void (await page.goto(url)));
    });
    assert.deepEqual(claims.amr, ['swk', 'user', 'mfa']);
    assert.equal(claims.acr, ACR_MFA);
    await signOut();
  });

  it('a client asking for acr phr is shown the passkey, not the password form, and gets phr', async () => {
    const claims = await authorize({ acr_values: ACR_PHR }, async (url) => {
      await page.goto(url);
      await passkeyButton().waitFor();
      assert.equal(await page.getByLabel('Password').count(), 0);
      await submits(page, '/interaction/:uid/passkey', () => passkeyButton().click());
    });
    assert.deepEqual(claims.amr, ['swk', 'user', 'mfa']);
    assert.equal(claims.acr, ACR_PHR);
    await signOut();
  });

  it('uses the passkey as the second factor after the password', async () => {
    const claims = await authorize({}, async (url) => {
      // No presence while the password is typed: the login page's conditional request must not answer itself.
      await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: false });
      await page.goto(url);
      await signInThroughPage(page, 'bob');
      await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
      await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: true });
      await submits(page, '/interaction/:uid/mfa/passkey', () => page.getByRole('button', { name: 'Use a passkey' }).click());
    });
    assert.deepEqual(claims.amr, ['pwd', 'swk', 'user', 'mfa']);
    assert.equal(claims.acr, ACR_MFA);
    const [stored] = (await server.portcullis.passkeys?.list(claims.sub)) ?? [];
    assert.equal(typeof stored?.lastUsedAt, 'number');
  });

  it('a removed passkey no longer signs in', async () => {
    await page.goto(`${issuer}/account/mfa`);
    assert.match((await page.locator('#passkeys').textContent()) ?? '', /last used/);
    await submits(page, '/account/passkeys/remove', () => page.getByRole('button', { name: 'Remove passkey Work laptop' }).click());
    await page.waitForURL(`${issuer}/account/mfa?done=passkey_removed`);
    await page.locator('#passkeys-none').waitFor();
    await signOut();

    const start = await startAuthorization(rp, { scope: 'openid', acr_values: ACR_PHR });
    await page.goto(start.url.href);
    // The authenticator still holds the credential; the issuer no longer knows it.
    const request = await submits(page, '/interaction/:uid/passkey', () => passkeyButton().click());
    const response = await request.response();
    assert.equal(response?.status(), 401);
    assert.match((await page.locator('body').textContent()) ?? '', /not registered here/);
  });
});
