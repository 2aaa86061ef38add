/**
 * The consent page, submitted as rendered in Chromium: "Allow" ends at the client with a code
 * that buys tokens; "Deny" ends at the client with access_denied and no code.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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
