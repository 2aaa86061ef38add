/**
 * The device flow's pages (oidc-provider's user-code input and confirm forms inside our
 * device-input.ejs and device-confirm.ejs), submitted as rendered in Chromium: the TV asks, the
 * person types the code, checks it, signs in and allows, and the TV's poll gets tokens; Abort
 * (or Cancel at sign-in) says the device was not connected and makes the poll fail with
 * access_denied; a wrong code is refused on the page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launchBrowser } from '../support/browser.ts';
import { clientPage, signInThroughPage, submits } from '../support/pages.ts';
import { discover } from '../support/rp.ts';
import { startServer, type TestServer } from '../support/server.ts';

if (chromiumMissing) console.warn(`\n*** ${chromiumMissing} ***\n`);

describe('device flow pages in a real browser', { skip: chromiumMissing }, () => {
  let server: TestServer;
  let browser: Browser;
  let tv: oidc.Configuration;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    tv = await discover(server.url, 'tv');
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Types the code into the input page and presses Continue; resolves on the confirm page. */
  async function enterCode(page: Page, userCode: string): Promise<void> {
    await page.getByRole('heading', { name: 'Connect a device' }).waitFor();
    await page.fill('input[name="user_code"]', userCode);
    await submits(page, '/device', () => page.getByRole('button', { name: 'Continue' }).click());
  }

  it('a person enters the TV code, confirms, signs in and allows; the TV polls and gets tokens', async () => {
    const device = await oidc.initiateDeviceAuthorization(tv, { scope: 'openid profile' });
    const { page, close } = await clientPage(browser);
    await page.goto(device.verification_uri);
    await enterCode(page, device.user_code);

    await page.getByRole('heading', { name: 'Confirm the device' }).waitFor();
    const main = (await page.locator('main').textContent()) ?? '';
    assert.match(main, /Living Room TV/);
    assert.ok(main.includes(device.user_code), 'the confirm page shows the code to compare');
    await submits(page, '/device', () => page.getByRole('button', { name: 'Continue' }).click());

    await signInThroughPage(page);
    await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    await submits(page, '/interaction/:uid/confirm', () => page.getByRole('button', { name: 'Allow' }).click());
    await page.getByRole('heading', { name: 'Device connected' }).waitFor();

    const tokens = await oidc.pollDeviceAuthorizationGrant(tv, device);
    assert.ok(tokens.access_token);
    assert.equal(tokens.claims()?.aud, 'tv');
    assert.equal(tokens.claims()?.sub, (await server.portcullis.accounts.findByUsername('alice'))?.id);
    await close();
  });

  it('the link with the code in it (verification_uri_complete) goes straight to the confirm page', async () => {
    const device = await oidc.initiateDeviceAuthorization(tv, { scope: 'openid profile' });
    assert.ok(device.verification_uri_complete);
    const { page, close } = await clientPage(browser);
    // oidc-provider answers with a self-submitting form (inline script our CSP must let run).
    const autoPost = page.waitForRequest((request) => request.method() === 'POST' && new URL(request.url()).pathname === '/device');
    await page.goto(device.verification_uri_complete);
    await autoPost;
    await page.getByRole('heading', { name: 'Confirm the device' }).waitFor();
    assert.ok(((await page.locator('main').textContent()) ?? '').includes(device.user_code));
    await close();
  });

  it('Abort on the confirm page says the device was not connected, and the TV poll fails with access_denied', async () => {
    const device = await oidc.initiateDeviceAuthorization(tv, { scope: 'openid profile' });
    const { page, close } = await clientPage(browser);
    await page.goto(device.verification_uri);
    await enterCode(page, device.user_code);
    await page.getByRole('heading', { name: 'Confirm the device' }).waitFor();
    await submits(page, '/device', () => page.getByRole('button', { name: 'Abort' }).click());
    await page.getByText('The device was not connected').waitFor();
    assert.doesNotMatch((await page.locator('main').textContent()) ?? '', /not valid/, 'a person who chose Abort is not told their code was wrong');

    await assert.rejects(oidc.pollDeviceAuthorizationGrant(tv, device), (error: oidc.ResponseBodyError) => {
      assert.equal(error.error, 'access_denied');
      return true;
    });
    await close();
  });

  it('Cancel on the login page during the device flow says the device was not connected; the TV poll fails', async () => {
    const device = await oidc.initiateDeviceAuthorization(tv, { scope: 'openid profile' });
    const { page, close } = await clientPage(browser);
    await page.goto(device.verification_uri);
    await enterCode(page, device.user_code);
    await page.getByRole('heading', { name: 'Confirm the device' }).waitFor();
    await submits(page, '/device', () => page.getByRole('button', { name: 'Continue' }).click());
    await submits(page, '/interaction/:uid/abort', () => page.getByRole('button', { name: /^Cancel and return to/ }).click());
    await page.getByText('The device was not connected').waitFor();
    assert.doesNotMatch((await page.locator('main').textContent()) ?? '', /not valid/);

    await assert.rejects(oidc.pollDeviceAuthorizationGrant(tv, device), (error: oidc.ResponseBodyError) => {
      assert.equal(error.error, 'access_denied');
      return true;
    });
    await close();
  });

  it('a wrong code is refused on the input page, which stays ready for another try', async () => {
    const { page, close } = await clientPage(browser);
    await page.goto(`${server.url}/device`);
    await enterCode(page, 'WRONG-CODE');
    await page.getByRole('alert').waitFor();
    assert.match((await page.getByRole('alert').textContent()) ?? '', /not valid or has expired/);
    assert.equal(await page.locator('input[name="user_code"]').count(), 1);
    await close();
  });
});
