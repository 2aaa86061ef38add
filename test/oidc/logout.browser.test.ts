/**
 * RP-initiated logout's confirmation page (oidc-provider's form inside our logout.ejs), submitted
 * as rendered in Chromium: "Yes, sign me out" ends the issuer session (gone from the store and
 * from the account pages, its access token refused) and returns to the client with its state;
 * "No, stay signed in" keeps the person signed in at the issuer, and the page after it says so
 * (it used to say "You have been signed out" whichever button was pressed).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launchBrowser } from '../support/browser.ts';
import { clientPage, signInThroughPage, submits } from '../support/pages.ts';
import { CALLBACK, discover, redeem, startAuthorization } from '../support/rp.ts';
import { startServer, type TestServer } from '../support/server.ts';

if (chromiumMissing) console.warn(`\n*** ${chromiumMissing} ***\n`);

const LOGGED_OUT = 'http://127.0.0.1:9999/logged-out';

describe('logout page in a real browser', { skip: chromiumMissing }, () => {
  let server: TestServer;
  let browser: Browser;
  let web: oidc.Configuration;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Signs in at web-app through the pages; returns its tokens and this browser's session uid. */
  async function signedIn(page: Page, landed: Promise<URL>) {
    // No offline_access: such grants outlive a logout by design (OpenID Connect Core §11).
    const start = await startAuthorization(web, { scope: 'openid profile' });
    await page.goto(start.url.href);
    await signInThroughPage(page);
    await submits(page, '/interaction/:uid/confirm', () => page.getByRole('button', { name: 'Allow' }).click());
    const tokens = await redeem(web, await landed, start);
    await page.waitForURL(`${CALLBACK}**`);
    return { tokens, sessionUid: await thisSession(page) };
  }

  /**
   * The uid the sessions page marks as this browser, or undefined when the console has to ask for
   * the password again (no issuer session: its sign-in stops at the login page).
   */
  async function thisSession(page: Page): Promise<string | undefined> {
    await page.goto(`${server.url}/account/sessions`);
    const here = page.locator('li.session[data-current="true"]');
    if ((await here.count()) === 0) {
      assert.match(new URL(page.url()).pathname, /^\/interaction\//);
      await page.getByLabel('Password').waitFor();
      return undefined;
    }
    return (await here.getAttribute('data-uid')) ?? undefined;
  }

  function logoutUrl(idToken: string, state: string): string {
    return oidc.buildEndSessionUrl(web, { id_token_hint: idToken, post_logout_redirect_uri: LOGGED_OUT, state }).href;
  }

  it('"Yes, sign me out" ends the issuer session and returns to the client with its state', async () => {
    const { page, landed, close } = await clientPage(browser);
    const { tokens, sessionUid } = await signedIn(page, landed);
    assert.ok(sessionUid);
    assert.ok(await server.portcullis.store.model('Session').findByUid(sessionUid));

    await page.goto(logoutUrl(tokens.id_token as string, 'bye-1'));
    await page.getByRole('heading', { name: 'Sign out?' }).waitFor();
    assert.match((await page.locator('main').textContent()) ?? '', /Web App/);
    await submits(page, '/session/end/confirm', () => page.getByRole('button', { name: 'Yes, sign me out' }).click());
    await page.waitForURL(`${LOGGED_OUT}**`);
    assert.equal(new URL(page.url()).searchParams.get('state'), 'bye-1');

    assert.equal(await server.portcullis.store.model('Session').findByUid(sessionUid), undefined, 'the session is gone from the store');
    assert.equal(await thisSession(page), undefined, 'the account pages no longer know this browser');
    const sub = tokens.claims()?.sub as string;
    await assert.rejects(oidc.fetchUserInfo(web, tokens.access_token, sub), (error: oidc.WWWAuthenticateChallengeError) => {
      assert.equal(error.status, 401, 'the access token died with the session');
      return true;
    });
    await close();
  });

  it('"No, stay signed in" keeps the issuer session', async () => {
    const { page, landed, close } = await clientPage(browser);
    const { tokens, sessionUid } = await signedIn(page, landed);
    await page.goto(logoutUrl(tokens.id_token as string, 'bye-2'));
    await page.getByRole('heading', { name: 'Sign out?' }).waitFor();
    await submits(page, '/session/end/confirm', () => page.getByRole('button', { name: 'No, stay signed in' }).click());
    await page.waitForURL(`${LOGGED_OUT}**`);
    assert.equal(new URL(page.url()).searchParams.get('state'), 'bye-2');
    assert.equal(await thisSession(page), sessionUid, 'still signed in at the issuer, same session');
    await close();
  });

  it('without a client, "No, stay signed in" says the person is still signed in, and they are', async () => {
    const { page, landed, close } = await clientPage(browser);
    const { sessionUid } = await signedIn(page, landed);
    await page.goto(`${server.url}/session/end`);
    await page.getByRole('heading', { name: 'Sign out?' }).waitFor();
    await submits(page, '/session/end/confirm', () => page.getByRole('button', { name: 'No, stay signed in' }).click());
    await page.getByRole('heading', { name: 'Still signed in' }).waitFor();
    assert.doesNotMatch((await page.locator('main').textContent()) ?? '', /have been signed out/);
    assert.equal(await thisSession(page), sessionUid);
    await close();
  });

  it('"No, stay signed in" for a client with no return address says which client was left', async () => {
    const { page, landed, close } = await clientPage(browser);
    const { sessionUid } = await signedIn(page, landed);
    await page.goto(`${server.url}/session/end?client_id=web-app`);
    await page.getByRole('heading', { name: 'Sign out?' }).waitFor();
    await submits(page, '/session/end/confirm', () => page.getByRole('button', { name: 'No, stay signed in' }).click());
    await page.getByRole('heading', { name: 'Signed out of Web App' }).waitFor();
    assert.match((await page.locator('main').textContent()) ?? '', /still signed in/);
    assert.equal(await thisSession(page), sessionUid);
    await close();
  });

  it('a browser that is not signed in passes through /session/end to the signed-out page', async () => {
    // With no account in the session, oidc-provider answers with a self-submitting form instead.
    const { page, close } = await clientPage(browser);
    const autoPost = page.waitForRequest((request) => request.method() === 'POST' && new URL(request.url()).pathname === '/session/end/confirm');
    await page.goto(`${server.url}/session/end`);
    await autoPost;
    await page.getByRole('heading', { name: 'Signed out' }).waitFor();
    await close();
  });

  it('without a client, "Yes, sign me out" says so and the session is gone', async () => {
    const { page, landed, close } = await clientPage(browser);
    const { sessionUid } = await signedIn(page, landed);
    await page.goto(`${server.url}/session/end`);
    await submits(page, '/session/end/confirm', () => page.getByRole('button', { name: 'Yes, sign me out' }).click());
    await page.getByRole('heading', { name: 'Signed out' }).waitFor();
    assert.equal(await server.portcullis.store.model('Session').findByUid(sessionUid as string), undefined);
    assert.equal(await thisSession(page), undefined);
    await close();
  });
});
