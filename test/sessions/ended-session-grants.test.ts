/**
 * A grant (and its refresh-token family) outlives the browser session that made it: a native app
 * signs in once and lives on refresh tokens while its session at the issuer idles out. A password
 * change and "sign out everywhere else" must still reach it. SESSION_IDLE_TTL is a few seconds
 * here so that a session can idle out during the test; each test waits until the store has
 * dropped the session before it goes on, so nothing depends on how long that takes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { backchannelClient, loopbackFetch, type Receiver, startReceiver } from '../support/backchannel.ts';
import type { Browserless } from '../support/browserless.ts';
import { withConsole } from '../support/console.ts';
import { currentSession, device, FIREFOX_LINUX, IPHONE, listSessions } from '../support/devices.ts';
import { familyOf, grantExists, invalidGrant, signIn } from '../support/families.ts';
import { discover, redeem, startAuthorization } from '../support/rp.ts';
import { DEFAULT_BOOTSTRAP, PASSWORD, startServer, type TestServer } from '../support/server.ts';

const NEW_PASSWORD = 'a different passphrase entirely';
const IDLE_SECONDS = 5;

describe('grants whose browser session has ended', () => {
  let server: TestServer;
  let receiver: Receiver;
  let web: oidc.Configuration;
  let bcl: oidc.Configuration;

  before(async () => {
    receiver = await startReceiver();
    server = await startServer({
      env: { SESSION_IDLE_TTL: `${IDLE_SECONDS}s` },
      bootstrap: {
        ...DEFAULT_BOOTSTRAP,
        clients: [...DEFAULT_BOOTSTRAP.clients, backchannelClient(receiver)],
      },
      options: { fetch: loopbackFetch },
    });
    web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    bcl = await discover(server.url, 'bcl-app', 'bcl-app-secret-that-is-long-enough');
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  async function person(username: string): Promise<void> {
    await server.portcullis.accounts.create({ username, name: `${username} Example`, password: PASSWORD });
  }

  /** Waits until the store no longer holds the session (it idles out after IDLE_SECONDS). */
  async function sessionGone(uid: string): Promise<void> {
    const sessions = server.portcullis.store.model('Session');
    for (let waited = 0; (await sessions.findByUid(uid)) !== undefined; waited += 250) {
      if (waited > (IDLE_SECONDS + 30) * 1000) throw new Error(`session ${uid} did not idle out`);
      await sleep(250);
    }
  }

  /**
   * Signs in on "the phone" (an app that then lives on refresh tokens), lets its browser session
   * idle out, and shows that the family still refreshes: returns its newest refresh token.
   */
  async function familyThatOutlivedItsSession(username: string, config = web) {
    const phone = device(server.url, IPHONE);
    const tokens = await signIn(server, config, username, phone);
    const { uid } = await currentSession(phone);
    const session = (await server.portcullis.store.model('Session').findByUid(uid)) as { authorizations: Record<string, { sid: string }> };
    await sessionGone(uid);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string);
    assert.ok(refreshed.refresh_token, 'the family outlives its browser session');
    const sid = Object.values(session.authorizations)[0]?.sid;
    return { refreshToken: refreshed.refresh_token, grantId: await familyOf(server, refreshed.refresh_token), sid };
  }

  async function changePassword(browser: Browserless, current: string, next: string): Promise<Response> {
    await withConsole(browser);
    const form = await (await browser.request('/account/password')).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(form)?.[1] as string;
    return browser.postForm('/account/password', { csrf, current_password: current, new_password: next, confirm_password: next });
  }

  it('a password change kills refresh tokens whose browser session has ended', async () => {
    await person('dora');
    const phone = await familyThatOutlivedItsSession('dora');
    const laptop = device(server.url, FIREFOX_LINUX);
    await signIn(server, web, 'dora', laptop);

    const changed = await changePassword(laptop, PASSWORD, NEW_PASSWORD);
    assert.equal(changed.status, 200, await changed.clone().text());
    assert.equal(await grantExists(server, phone.grantId), false, 'the grant is revoked, not only its session');
    await assert.rejects(oidc.refreshTokenGrant(web, phone.refreshToken), invalidGrant);
    assert.equal((await currentSession(laptop)).current, true, 'the browser that changed it stays signed in');
  });

  it('"sign out everywhere else" kills refresh tokens whose browser session has ended, and tells the client', async () => {
    await person('eve');
    const phone = await familyThatOutlivedItsSession('eve', bcl);
    const laptop = device(server.url, FIREFOX_LINUX);
    const laptopTokens = await signIn(server, web, 'eve', laptop);

    await withConsole(laptop);
    const page = await laptop.request('/account/sessions');
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] as string;
    const delivered = receiver.next();
    const posted = await laptop.postForm('/account/sessions/end-others', { csrf });
    assert.equal(posted.status, 303);

    assert.equal(await grantExists(server, phone.grantId), false);
    await assert.rejects(oidc.refreshTokenGrant(bcl, phone.refreshToken), invalidGrant);
    const { payload } = await jwtVerify(await delivered, createRemoteJWKSet(new URL(`${server.url}/jwks`)), { issuer: server.url, audience: 'bcl-app' });
    assert.equal(payload.sid, phone.sid, 'the client hears which of its sessions ended');
    assert.deepEqual(
      (await listSessions(laptop)).sessions.map((session) => session.current),
      [true],
    );
    assert.ok(await oidc.refreshTokenGrant(web, laptopTokens.refresh_token as string), 'this browser’s own grant is kept');
  });

  it('a password change also refuses the older refresh tokens of the browser that made it; that browser gets new ones without a password', async () => {
    await person('fay');
    const laptop = device(server.url, FIREFOX_LINUX);
    const before = await signIn(server, web, 'fay', laptop);
    const grantId = await familyOf(server, before.refresh_token);

    const changed = await changePassword(laptop, PASSWORD, NEW_PASSWORD);
    assert.equal(changed.status, 200, await changed.clone().text());
    await assert.rejects(oidc.refreshTokenGrant(web, before.refresh_token as string), invalidGrant);
    assert.equal(await grantExists(server, grantId), true, 'the grant of this browser’s session (consent, scopes) is kept');

    // The session is still signed in: a new authorization needs no password (a wrong one is
    // offered, and the login form would refuse it), and its family works.
    const start = await startAuthorization(web);
    const callback = await laptop.authorize(start.url.href, 'fay', 'not the password at all');
    const after = await redeem(web, callback, start);
    assert.equal(await familyOf(server, after.refresh_token), grantId);
    assert.ok(await oidc.refreshTokenGrant(web, after.refresh_token as string));
  });

  it('a password set by other means (the service, as an operator tool would) refuses older families too', async () => {
    await person('gus');
    const phone = device(server.url, IPHONE);
    const tokens = await signIn(server, web, 'gus', phone);
    const account = await server.portcullis.accounts.findByUsername('gus');
    await server.portcullis.accounts.setPassword(account?.id as string, NEW_PASSWORD);
    await assert.rejects(oidc.refreshTokenGrant(web, tokens.refresh_token as string), invalidGrant);
    const introspected = await oidc.tokenIntrospection(web, tokens.refresh_token as string);
    assert.equal(introspected.active, false, 'introspection agrees');
  });
});
