/**
 * The consent page, submitted as rendered in Chromium: "Allow" ends at the client with a code
 * that buys tokens (also through oidc-provider's self-submitting form_post page); "Deny" ends at
 * the client with access_denied and no code.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { chromiumMissing, launchBrowser } from '../support/browser.ts';
import { clientPage, signInThroughPage, submits } from '../support/pages.ts';
import { CALLBACK, discover, redeem, startAuthorization } from '../support/rp.ts';
import { startServer, type TestServer } from '../support/server.ts';

if (chromiumMissing) console.warn(`\n*** ${chromiumMissing} ***\n`);

describe('consent page in a real browser', { skip: chromiumMissing }, () => {
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

  async function openConsent() {
    const web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const start = await startAuthorization(web, { scope: 'openid profile' });
    const client = await clientPage(browser);
    await client.page.goto(start.url.href);
    await signInThroughPage(client.page);
    await client.page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    return { web, start, ...client };
  }

  it('Allow on the consent page lands at the client with a code that buys tokens', async () => {
    const { web, start, page, landed, close } = await openConsent();
    assert.match((await page.locator('main').textContent()) ?? '', /Web App[\s\S]*would like to/);
    await submits(page, '/interaction/:uid/confirm', () => page.getByRole('button', { name: 'Allow' }).click());
    const callback = await landed;
    assert.equal(callback.origin + callback.pathname, CALLBACK);
    assert.equal(callback.searchParams.get('state'), start.state);
    const tokens = await redeem(web, callback, start);
    assert.ok(tokens.access_token);
    assert.equal(tokens.claims()?.sub, (await server.portcullis.accounts.findByUsername('alice'))?.id);
    await close();
  });

  it('with response_mode=form_post, Allow ends in the auto-submitted form reaching the client with a code', async () => {
    const web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const start = await startAuthorization(web, { scope: 'openid profile', response_mode: 'form_post' });
    const { page, close } = await clientPage(browser);
    // oidc-provider's form_post page submits itself with an inline script our CSP must let run.
    const posted = new Promise<{ url: string; body: string }>((resolve) => {
      void page.route(CALLBACK, async (route) => {
        resolve({ url: route.request().url(), body: route.request().postData() ?? '' });
        await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>client</p>' });
      });
    });
    await page.goto(start.url.href);
    await signInThroughPage(page);
    await submits(page, '/interaction/:uid/confirm', () => page.getByRole('button', { name: 'Allow' }).click());
    const { url, body } = await posted;
    assert.equal(new URLSearchParams(body).get('state'), start.state);
    const callback = new Request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const tokens = await oidc.authorizationCodeGrant(web, callback, {
      pkceCodeVerifier: start.verifier,
      expectedState: start.state,
      expectedNonce: start.nonce,
    });
    assert.ok(tokens.access_token);
    await close();
  });

  it('Deny on the consent page lands at the client with access_denied and no code', async () => {
    const { start, page, landed, close } = await openConsent();
    await submits(page, '/interaction/:uid/abort', () => page.getByRole('button', { name: 'Deny' }).click());
    const callback = await landed;
    assert.equal(callback.origin + callback.pathname, CALLBACK);
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    assert.equal(callback.searchParams.get('state'), start.state);
    assert.equal(callback.searchParams.get('code'), null);
    await close();
  });
});
