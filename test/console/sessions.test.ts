/**
 * A person's own sessions through the self-service JSON API and forms (no browser needed here;
 * sessions-browser.test.ts drives the pages in Chromium): listing, ending one or all others,
 * what ending does to grants and clients, the refusals, and the password change.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { backchannelClient, loopbackFetch, type Receiver, startReceiver } from '../support/backchannel.ts';
import { Browserless } from '../support/browserless.ts';
import { openConsole } from '../support/console.ts';
import { currentSession, device, FIREFOX_LINUX, IPHONE, listSessions } from '../support/devices.ts';
import { auditEvents, invalidGrant, signIn } from '../support/families.ts';
import { CALLBACK, discover, startAuthorization } from '../support/rp.ts';
import { DEFAULT_BOOTSTRAP, PASSWORD, startServer, type TestServer } from '../support/server.ts';

const NEW_PASSWORD = 'a different passphrase entirely';

describe('self-service sessions', () => {
  let server: TestServer;
  let receiver: Receiver;
  let web: oidc.Configuration;
  let bcl: oidc.Configuration;

  before(async () => {
    receiver = await startReceiver();
    server = await startServer({
      bootstrap: {
        ...DEFAULT_BOOTSTRAP,
        clients: [
          ...DEFAULT_BOOTSTRAP.clients,
          backchannelClient(receiver),
          {
            client_id: 'gone-app',
            client_secret: 'gone-app-secret-that-is-long-enough',
            client_name: 'Gone App',
            redirect_uris: [CALLBACK],
            grant_types: ['authorization_code', 'refresh_token'],
            scope: 'openid profile email offline_access',
            // Port 9 (discard) on loopback: nothing answers, the delivery fails at once.
            backchannel_logout_uri: 'http://127.0.0.1:9/backchannel',
            backchannel_logout_session_required: true,
          },
        ],
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

  it('lists the person’s own sessions with browser, IP, times and applications', async () => {
    const phone = device(server.url, IPHONE);
    const laptop = device(server.url, FIREFOX_LINUX);
    await signIn(server, bcl, 'alice', phone);
    await signIn(server, web, 'alice', laptop);
    await signIn(server, web, 'bob', device(server.url, IPHONE));
    const { sessions } = await listSessions(laptop);
    assert.equal(sessions.length, 2, 'bob’s session is not alice’s business');
    const [current, other] = sessions;
    assert.equal(current?.current, true);
    assert.equal(current?.device.label, 'Firefox 128 on Linux');
    assert.deepEqual(current?.applications, [{ client_id: 'web-app', name: 'Web App' }]);
    assert.equal(other?.current, false);
    assert.equal(other?.device.os, 'iOS 17.4');
    assert.equal(other?.device.browser, 'Mobile Safari 17');
    assert.deepEqual(other?.applications, [{ client_id: 'bcl-app', name: 'Back-Channel App' }]);
    assert.equal(other?.ip, '127.0.0.1');
    for (const session of sessions) {
      assert.ok(Date.parse(session.created_at) <= Date.parse(session.last_active_at as string));
      assert.ok(Date.parse(session.expires_at as string) > Date.now());
    }
  });

  it('ends one session: its grants are revoked and its clients get back-channel logout', async () => {
    const phone = device(server.url, IPHONE);
    const laptop = device(server.url, FIREFOX_LINUX);
    const phoneTokens = await signIn(server, bcl, 'alice', phone);
    await signIn(server, web, 'alice', laptop);
    const phoneSession = await currentSession(phone);
    const phoneRecord = (await server.portcullis.store.model('Session').findByUid(phoneSession.uid)) as {
      authorizations: Record<string, { sid: string }>;
    };
    const { csrf } = await listSessions(laptop);
    const delivered = receiver.next();
    const ended = await laptop.request(`/account/api/sessions/${phoneSession.uid}`, { method: 'DELETE', headers: { 'x-csrf-token': csrf } });
    assert.equal(ended.status, 204);

    const { payload } = await jwtVerify(await delivered, createRemoteJWKSet(new URL(`${server.url}/jwks`)), { issuer: server.url, audience: 'bcl-app' });
    assert.equal(payload.sid, phoneRecord.authorizations['bcl-app']?.sid);
    await assert.rejects(oidc.refreshTokenGrant(bcl, phoneTokens.refresh_token as string), invalidGrant);
    assert.equal((await oidc.tokenIntrospection(bcl, phoneTokens.access_token)).active, false);
    assert.equal((await phone.request('/account/api/sessions', { headers: { accept: 'application/json' } })).status, 401);
    assert.ok(
      (await listSessions(laptop)).sessions.some((session) => session.current),
      'this browser is still signed in',
    );
    const events = await auditEvents(server, 'session.ended');
    assert.ok(events.some((event) => event.detail?.uid === phoneSession.uid && event.detail?.reason === 'self'));
  });

  it('reports a client that cannot be reached, and still ends the session', async () => {
    const unreachable = await discover(server.url, 'gone-app', 'gone-app-secret-that-is-long-enough');
    const phone = device(server.url, IPHONE);
    await signIn(server, unreachable, 'alice', phone);
    const uid = (await currentSession(phone)).uid;
    const alice = (await server.portcullis.accounts.findByUsername('alice'))?.id as string;
    // The service layer an admin API builds on, used directly.
    assert.ok((await server.portcullis.sessions.list(alice)).some((session) => session.uid === uid));
    assert.equal(await server.portcullis.sessions.end(alice, uid, 'admin'), true);
    assert.equal(await server.portcullis.sessions.end(alice, uid, 'admin'), false, 'already ended');
    assert.equal((await phone.request('/account/api/sessions', { headers: { accept: 'application/json' } })).status, 401);
    const errors = await auditEvents(server, 'backchannel_logout.error');
    assert.ok(errors.some((event) => event.clientId === 'gone-app'));
  });

  it('refuses without the CSRF token, for sessions that are not the person’s, bad ids, and strangers', async () => {
    const laptop = device(server.url, FIREFOX_LINUX);
    await signIn(server, web, 'alice', laptop);
    const bobs = device(server.url, IPHONE);
    await signIn(server, web, 'bob', bobs);
    const bobSession = await currentSession(bobs);
    const { csrf, sessions } = await listSessions(laptop);
    const own = sessions.find((session) => !session.current) ?? sessions[0];

    const noCsrf = await laptop.request(`/account/api/sessions/${own?.uid}`, { method: 'DELETE' });
    assert.equal(noCsrf.status, 403);
    assert.equal(((await noCsrf.json()) as { error: string }).error, 'csrf_failed');

    const foreign = await laptop.request(`/account/api/sessions/${bobSession.uid}`, { method: 'DELETE', headers: { 'x-csrf-token': csrf } });
    assert.equal(foreign.status, 404);
    assert.equal(((await foreign.json()) as { error: string }).error, 'session_not_found');
    assert.ok(await currentSession(bobs), 'bob is still signed in');

    const bad = await laptop.request('/account/api/sessions/not%20an%20id', { method: 'DELETE', headers: { 'x-csrf-token': csrf } });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: string }).error, 'invalid_request');

    // A stranger's page view starts a sign-in (account-signin.test.ts); as JSON it is refused.
    const stranger = await new Browserless(server.url).request('/account/sessions', { headers: { accept: 'application/json' } });
    assert.equal(stranger.status, 401);
    assert.match(await stranger.text(), /login_required/);
    const badForm = await laptop.postForm('/account/sessions/end', { csrf, uid: 'x', extra: '1' });
    assert.equal(badForm.status, 400);
  });

  it('ends every other session from the page form and keeps this one', async () => {
    const laptop = device(server.url, FIREFOX_LINUX);
    const phone = device(server.url, IPHONE);
    await signIn(server, web, 'alice', phone);
    await openConsole(phone);
    await signIn(server, web, 'alice', laptop);
    await openConsole(laptop);
    const page = await laptop.request('/account/sessions');
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] as string;
    const posted = await laptop.postForm('/account/sessions/end-others', { csrf });
    assert.equal(posted.status, 303);
    assert.match(posted.headers.get('location') ?? '', /^\/account\/sessions\?ended=\d+$/);
    const { sessions } = await listSessions(laptop);
    assert.deepEqual(
      sessions.map((session) => session.current),
      [true],
    );
    assert.equal((await phone.request('/account/api/sessions', { headers: { accept: 'application/json' } })).status, 401);

    // The same as JSON.
    const tablet = device(server.url, IPHONE);
    await signIn(server, web, 'alice', tablet);
    await openConsole(tablet);
    const { csrf: token } = await listSessions(laptop);
    const ended = await laptop.request('/account/api/sessions', { method: 'DELETE', headers: { 'x-csrf-token': token } });
    assert.equal(ended.status, 200);
    assert.deepEqual(await ended.json(), { ended: 1 });
    assert.equal((await tablet.request('/account/api/sessions', { headers: { accept: 'application/json' } })).status, 401);
    assert.deepEqual(
      (await listSessions(laptop)).sessions.map((session) => session.current),
      [true],
    );
  });

  it('changes the password, ending every other session, and refuses bad attempts', async () => {
    await server.portcullis.accounts.create({ username: 'carol', name: 'Carol Example', password: PASSWORD });
    const laptop = device(server.url, FIREFOX_LINUX);
    const phone = device(server.url, IPHONE);
    const phoneTokens = await signIn(server, web, 'carol', phone);
    await openConsole(phone);
    await signIn(server, web, 'carol', laptop);
    await openConsole(laptop);
    const form = await laptop.request('/account/password');
    const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] as string;
    const fields = { csrf, current_password: PASSWORD, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD };

    const withoutCsrf = await laptop.postForm('/account/password', { ...fields, csrf: '' });
    assert.equal(withoutCsrf.status, 403);
    const wrong = await laptop.postForm('/account/password', { ...fields, current_password: 'not the password' });
    assert.equal(wrong.status, 400);
    assert.match(await wrong.text(), /current password is not right/);
    const weak = await laptop.postForm('/account/password', { ...fields, new_password: 'short', confirm_password: 'short' });
    assert.equal(weak.status, 400);
    assert.match(await weak.text(), /at least 15 characters/);
    const mismatch = await laptop.postForm('/account/password', { ...fields, confirm_password: `${NEW_PASSWORD}!` });
    assert.equal(mismatch.status, 400);
    assert.equal((await currentSession(phone)).current, true, 'nothing ended yet');

    const json = await laptop.request('/account/password', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify({ current_password: 'not the password', new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD }),
    });
    assert.equal(json.status, 400);
    assert.equal(((await json.json()) as { error: string }).error, 'wrong_password');

    const changed = await laptop.postForm('/account/password', fields);
    assert.equal(changed.status, 200);
    assert.match(await changed.text(), /1 other session was signed out/);
    assert.equal((await phone.request('/account/api/sessions', { headers: { accept: 'application/json' } })).status, 401);
    await assert.rejects(oidc.refreshTokenGrant(web, phoneTokens.refresh_token as string), invalidGrant);
    assert.equal((await currentSession(laptop)).current, true, 'the browser that changed it stays signed in');

    await assert.rejects(signIn(server, web, 'carol', new Browserless(server.url)), /form answered 401/, 'the old password no longer works');
    const start = await startAuthorization(web);
    const callback = await new Browserless(server.url).authorize(start.url.href, 'carol', NEW_PASSWORD);
    assert.ok(callback.searchParams.get('code'), 'the new password works');
    assert.ok((await auditEvents(server, 'password.changed')).some((event) => event.detail?.sessionsEnded === 1));

    // The same change as JSON ends the session the new password was just tried in.
    const third = 'yet another passphrase here';
    const again = await laptop.request('/account/password', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify({ current_password: NEW_PASSWORD, new_password: third, confirm_password: third }),
    });
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { sessions_ended: 1 });
  });
});
