/**
 * The sign-in set-up page (mfa-enrol.ejs, where the operator requires a second factor) offers
 * "Set up a passkey instead": pressed as rendered in headless Chromium with the DevTools virtual
 * authenticator, passkeys.js runs the ceremony and submits that form, the sign-in goes on to the
 * application, and the passkey is stored under the typed name. The issuer is
 * http://localhost:<port> (WebAuthn refuses IP addresses; the listener stays on 127.0.0.1).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launchBrowser } from '../support/browser.ts';
import { signInThroughPage, submits } from '../support/pages.ts';
import { CALLBACK, discover, redeem, startAuthorization } from '../support/rp.ts';
import { freePort, startServer, type TestServer } from '../support/server.ts';

if (chromiumMissing) console.warn(`\n*** ${chromiumMissing} ***\n`);

describe('passkey set-up during sign-in, in a real browser', { skip: chromiumMissing }, () => {
  let server: TestServer;
  let issuer: string;
  let browser: Browser;
  let page: Page;

  before(async () => {
    const port = await freePort();
    issuer = `http://localhost:${port}`;
    // Alice holds the `admin` role: this server requires her to set a second factor up at sign-in.
    server = await startServer({ port, env: { ISSUER: issuer, MFA_REQUIRED_ROLES: 'admin' } });
    browser = await launchBrowser();
    const context = await browser.newContext();
    page = await context.newPage();
    await page.route(`${new URL(CALLBACK).origin}/**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<p>client</p>' }));
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('submits the rendered "Set up a passkey instead" form, stores the named passkey and completes the sign-in', async () => {
    const rp = await discover(issuer, 'web-app', 'web-app-secret-that-is-long-enough');
    const start = await startAuthorization(rp, { scope: 'openid' });
    await page.goto(start.url.href);
    await signInThroughPage(page, 'alice');
    const setUp = page.getByRole('button', { name: 'Set up a passkey instead' });
    await setUp.waitFor();
    await page.getByLabel('Name for this passkey (optional)').fill('Alice phone');
    await submits(page, '/interaction/:uid/mfa/passkey/enrol', () => setUp.click());
    // A passkey set-up hands out no backup codes: the next page is the application's consent.
    const allow = page.getByRole('button', { name: 'Allow' });
    await allow.waitFor();
    await submits(page, '/interaction/:uid/confirm', () => allow.click());
    await page.waitForURL(`${new URL(CALLBACK).origin}/**`);
    const tokens = await redeem(rp, new URL(page.url()), start);
    const claims = tokens.claims() as { sub: string; amr?: string[] };
    assert.ok(claims.amr?.includes('swk'), `amr ${JSON.stringify(claims.amr)} names the passkey`);
    const aliceId = (await server.portcullis.accounts.findByUsername('alice'))?.id as string;
    assert.equal(claims.sub, aliceId);
    assert.deepEqual(
      (await server.portcullis.passkeys?.list(aliceId))?.map((passkey) => passkey.name),
      ['Alice phone'],
    );
  });
});
