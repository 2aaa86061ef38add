/**
 * Connected apps and security activity in headless Chromium: a person with no cookies opens
 * /account/apps, signs in through the issuer's page and lands back there; the page lists the app
 * they use on their phone and not Portcullis's own clients; revoking it with the form as rendered
 * makes the app's refresh token fail at the token endpoint and its back-channel logout endpoint
 * receive a logout token for the phone's session. Then "This wasn't me" on the activity page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { backchannelClient, loopbackFetch, type Receiver, startReceiver } from '../support/backchannel.ts';
import { chromiumMissing, launchBrowser } from '../support/browser.ts';
import { currentSession, device, IPHONE } from '../support/devices.ts';
import { invalidGrant, signIn } from '../support/families.ts';
import { signInThroughPage, submits } from '../support/pages.ts';
import { discover } from '../support/rp.ts';
import { DEFAULT_BOOTSTRAP, startServer, type TestServer } from '../support/server.ts';

if (chromiumMissing) console.warn(`\n*** ${chromiumMissing} (connected apps; apt-get install chromium) ***\n`);

describe('connected apps in a real browser', { skip: chromiumMissing }, () => {
  let server: TestServer;
  let receiver: Receiver;
  let browser: Browser;

  before(async () => {
    receiver = await startReceiver();
    server = await startServer({
      bootstrap: { ...DEFAULT_BOOTSTRAP, clients: [...DEFAULT_BOOTSTRAP.clients, backchannelClient(receiver)] },
      options: { fetch: loopbackFetch },
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await receiver?.close();
  });

  it('signs in from /account/apps, lands there, and revoking an app ends its tokens and signs it out by back-channel', async () => {
    const bcl = await discover(server.url, 'bcl-app', 'bcl-app-secret-that-is-long-enough');
    const phone = device(server.url, IPHONE);
    const phoneTokens = await signIn(server, bcl, 'alice', phone);
    const phoneUid = (await currentSession(phone)).uid;
    const phoneRecord = (await server.portcullis.store.model('Session').findByUid(phoneUid)) as { authorizations: Record<string, { sid: string }> };

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/account/apps`);
    await page.getByLabel('Username').waitFor();
    assert.match(page.url(), /\/interaction\//, 'the issuer’s own sign-in page');
    await signInThroughPage(page, 'alice');
    await page.waitForURL(`${server.url}/account/apps`);
    await page.getByRole('heading', { name: 'Connected apps' }).waitFor();

    const app = page.locator('li.app[data-client-id="bcl-app"]');
    const text = (await app.textContent()) ?? '';
    assert.match(text, /Back-Channel App/);
    assert.match(text, /Your email address/);
    assert.match(text, /Last used/);
    const listed = (await page.locator('main').textContent()) ?? '';
    assert.doesNotMatch(listed, /Your account|Portcullis CLI/, 'Portcullis’s own clients are not listed');

    const delivered = receiver.next();
    await submits(page, '/account/apps/revoke', () => app.getByRole('button', { name: 'Revoke access' }).click());
    assert.equal(await page.locator('#notice').textContent(), 'Back-Channel App no longer has access to your account.');
    assert.equal(await page.locator('li.app[data-client-id="bcl-app"]').count(), 0);
    const { payload } = await jwtVerify(await delivered, createRemoteJWKSet(new URL(`${server.url}/jwks`)), { issuer: server.url, audience: 'bcl-app' });
    assert.equal(payload.sid, phoneRecord.authorizations['bcl-app']?.sid);
    await assert.rejects(oidc.refreshTokenGrant(bcl, phoneTokens.refresh_token as string), invalidGrant);

    // The home page links to the new sections.
    await page.goto(`${server.url}/account`);
    await page.getByRole('link', { name: 'Security activity' }).click();
    await page.waitForURL(`${server.url}/account/activity`);
    await page.getByRole('heading', { name: 'Security activity' }).waitFor();
    assert.match((await page.locator('main').textContent()) ?? '', /You removed Back-Channel App’s access/);

    // "This wasn't me", as rendered: the phone's session ends, this one is sent on to change the password.
    await submits(page, '/account/activity/not-me', () => page.getByRole('button', { name: 'This wasn’t me' }).click());
    await page.getByRole('heading', { name: 'Signed out everywhere else' }).waitFor();
    assert.equal((await phone.request('/account/api/sessions', { headers: { accept: 'application/json' } })).status, 401);
    await page.getByRole('link', { name: 'Change your password now' }).click();
    await page.waitForURL(`${server.url}/account/password`);

    await page.goto(`${server.url}/account`);
    await page.getByRole('link', { name: 'Your data' }).click();
    await page.waitForURL(`${server.url}/account/data`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download your data' }).click()]);
    assert.equal(download.suggestedFilename(), 'portcullis-data.json');
    await context.close();
  });
});
