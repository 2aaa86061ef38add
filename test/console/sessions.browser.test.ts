/**
 * The self-service sessions page in a real browser (headless Chromium): sign in through the
 * pages, see this browser and another device listed, end the other device's session and then
 * every other session, and watch the back-channel logout arrive at the client's receiver.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { backchannelClient, loopbackFetch, type Receiver, startReceiver } from '../support/backchannel.ts';
import { chromiumMissing, launchBrowser } from '../support/browser.ts';
import { openConsole } from '../support/console.ts';
import { currentSession, device, FIREFOX_LINUX, IPHONE } from '../support/devices.ts';
import { invalidGrant, signIn } from '../support/families.ts';
import { submits } from '../support/pages.ts';
import { CALLBACK, discover, startAuthorization } from '../support/rp.ts';
import { DEFAULT_BOOTSTRAP, PASSWORD, startServer, type TestServer } from '../support/server.ts';

if (chromiumMissing) {
  console.warn(`\n*** ${chromiumMissing} (the sessions page; apt-get install chromium) ***\n`);
}

describe('sessions page in Chromium', { skip: chromiumMissing }, () => {
  let server: TestServer;
  let receiver: Receiver;
  let browser: Browser;

  before(async () => {
    receiver = await startReceiver();
    server = await startServer({
      bootstrap: {
        ...DEFAULT_BOOTSTRAP,
        clients: [...DEFAULT_BOOTSTRAP.clients, backchannelClient(receiver)],
      },
      options: { fetch: loopbackFetch },
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await receiver?.close();
  });

  it('lists this browser and the others, and ends them', async () => {
    const web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const bcl = await discover(server.url, 'bcl-app', 'bcl-app-secret-that-is-long-enough');
    const phone = device(server.url, IPHONE);
    const phoneTokens = await signIn(server, bcl, 'alice', phone);
    const phoneUid = (await currentSession(phone)).uid;
    const phoneRecord = (await server.portcullis.store.model('Session').findByUid(phoneUid)) as { authorizations: Record<string, { sid: string }> };
    const tablet = device(server.url, FIREFOX_LINUX);
    await signIn(server, web, 'alice', tablet);
    await openConsole(tablet);

    const page = await (await browser.newContext()).newPage();
    // The relying party's callback: nothing listens there, so the browser gets a stand-in page.
    await page.route(`${new URL(CALLBACK).origin}/**`, (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'signed in' }));
    const start = await startAuthorization(web);
    await page.goto(start.url.href);
    await page.fill('#username', 'alice');
    await page.fill('#password', PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((url) => url.href.startsWith(CALLBACK));

    await page.goto(`${server.url}/account/sessions`);
    const sessions = page.locator('li.session');
    assert.equal(await sessions.count(), 3);
    const here = page.locator('li.session[data-current="true"]');
    assert.match((await here.textContent()) ?? '', /Chrome Headless \d+ on Linux this browser[\s\S]*Web App/);
    const phoneItem = page.locator(`li.session[data-uid="${phoneUid}"]`);
    const phoneText = (await phoneItem.textContent()) ?? '';
    assert.match(phoneText, /Mobile Safari 17 on iOS 17\.4 \(Apple iPhone\)/);
    assert.match(phoneText, /127\.0\.0\.1/);
    assert.match(phoneText, /Back-Channel App/);

    const delivered = receiver.next();
    await submits(page, '/account/sessions/end', () => phoneItem.getByRole('button', { name: 'Sign out' }).click());
    assert.equal(await page.locator('#notice').textContent(), 'Signed out of 1 session.');
    assert.equal(await sessions.count(), 2);
    const { payload } = await jwtVerify(await delivered, createRemoteJWKSet(new URL(`${server.url}/jwks`)), { issuer: server.url, audience: 'bcl-app' });
    assert.equal(payload.sid, phoneRecord.authorizations['bcl-app']?.sid);
    await assert.rejects(oidc.refreshTokenGrant(bcl, phoneTokens.refresh_token as string), invalidGrant);

    await submits(page, '/account/sessions/end-others', () => page.getByRole('button', { name: 'Sign out everywhere else' }).click());
    assert.equal(await page.locator('#notice').textContent(), 'Signed out of 1 session.');
    assert.equal(await sessions.count(), 1);
    assert.equal(await page.locator('li.session[data-current="true"]').count(), 1);
    assert.equal((await tablet.request('/account/api/sessions', { headers: { accept: 'application/json' } })).status, 401);

    await submits(page, '/account/sessions/end', () => page.getByRole('button', { name: 'Sign out of this browser' }).click());
    assert.equal(await page.locator('h1').textContent(), 'Signed out');
    // Signed out: the console's next page view asks for the password again.
    await page.goto(`${server.url}/account/sessions`);
    await page.getByLabel('Password').waitFor();
    assert.match(page.url(), /\/interaction\//);
  });
});
