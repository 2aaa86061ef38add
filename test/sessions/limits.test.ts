/**
 * Browser-session lifetimes (idle and absolute) and the limit on concurrent sessions per person,
 * in both modes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { sessionTtl } from '../../src/oidc/session-lifetime.ts';
import { Browserless } from '../support/browserless.ts';
import { currentSession, device, FIREFOX_LINUX, IPHONE, listSessions } from '../support/devices.ts';
import { auditEvents, signIn } from '../support/families.ts';
import { drive, TestClock, totpAt } from '../support/mfa.ts';
import { CALLBACK, discover, startAuthorization } from '../support/rp.ts';
import { DEFAULT_BOOTSTRAP, PASSWORD, startServer, type TestServer } from '../support/server.ts';

/**
 * Whether this browser's issuer session is gone: opening the console signs in silently while it
 * lives (support/console.ts) and stops at the login page once it has ended.
 */
async function signedOut(browser: Browserless): Promise<boolean> {
  const { url } = await browser.follow('/account');
  return new URL(url).pathname !== '/account' && (await browser.request('/account/api/sessions', { headers: { accept: 'application/json' } })).status === 401;
}

describe('browser-session lifetime', () => {
  it('slides with use up to the absolute end', () => {
    const lifetimes = { idle: 3600, absolute: 86400 };
    assert.equal(sessionTtl(lifetimes, 1000, undefined), 3600, 'a new session');
    assert.equal(sessionTtl(lifetimes, 50_000, 1000), 3600, 'used again later: a fresh idle period');
    assert.equal(sessionTtl(lifetimes, 1000 + 86400 - 600, 1000), 600, 'never past the absolute end');
    assert.equal(sessionTtl(lifetimes, 1000 + 86400, 1000), 1);
  });

  describe('as stored', () => {
    let server: TestServer;
    let offset = 0;
    before(async () => {
      server = await startServer({ env: { SESSION_IDLE_TTL: '1h', SESSION_TTL: '3h' }, options: { now: () => Date.now() + offset } });
    });
    after(() => server.close());

    it('expires an unused session after the idle timeout, and each use moves that on', async () => {
      const web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
      const laptop = device(server.url, FIREFOX_LINUX);
      await signIn(server, web, 'alice', laptop);
      const first = await currentSession(laptop);
      const stored = await server.portcullis.store.model('Session').findByUid(first.uid);
      // iat and the lifetime are stamped in two calls, which a second boundary can fall between.
      const lifetime = (stored?.exp as number) - (stored?.iat as number);
      assert.ok(lifetime === 3600 || lifetime === 3601, `SESSION_IDLE_TTL, not the 3h SESSION_TTL (got ${lifetime} s)`);

      offset += 10 * 60_000;
      // Signing in to an application again uses the session: it is saved with a new idle period.
      const again = await startAuthorization(web, { prompt: 'none', scope: 'openid' });
      const landed = await laptop.follow(again.url.href);
      assert.ok(new URL(landed.url).searchParams.get('code'), 'silent sign-in through the session');
      const used = await currentSession(laptop);
      assert.ok(Date.parse(used.last_active_at as string) - Date.parse(first.last_active_at as string) >= 10 * 60_000);
      const restored = await server.portcullis.store.model('Session').findByUid(first.uid);
      assert.ok((restored?.exp as number) >= (stored?.exp as number));
      assert.ok((restored?.exp as number) <= (stored?.iat as number) + 3 * 3600);
    });
  });
});

describe('concurrent-session limit: end the oldest', () => {
  let server: TestServer;
  let web: oidc.Configuration;
  before(async () => {
    server = await startServer({ env: { SESSION_LIMIT: '2', SESSION_LIMIT_MODE: 'end_oldest' } });
    web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
  });
  after(() => server.close());

  it('ends the oldest session when a third browser signs in; signing in again in a browser does not count', async () => {
    const oldest = device(server.url, IPHONE);
    const middle = device(server.url, FIREFOX_LINUX);
    const newest = device(server.url, FIREFOX_LINUX);
    const oldestTokens = await signIn(server, web, 'alice', oldest);
    await signIn(server, web, 'alice', middle);
    await signIn(server, web, 'alice', middle, { prompt: 'login consent' });
    assert.equal((await listSessions(middle)).sessions.length, 2);
    await signIn(server, web, 'alice', newest);
    assert.equal(await signedOut(oldest), true);
    assert.equal(await signedOut(middle), false);
    assert.equal((await listSessions(newest)).sessions.length, 2);
    await assert.rejects(oidc.refreshTokenGrant(web, oldestTokens.refresh_token as string), { error: 'invalid_grant' });
    assert.ok((await auditEvents(server, 'session.ended')).some((event) => event.detail?.reason === 'session_limit'));
  });
});

describe('concurrent-session limit: refuse', () => {
  let server: TestServer;
  let web: oidc.Configuration;
  before(async () => {
    server = await startServer({ env: { SESSION_LIMIT: '1', SESSION_LIMIT_MODE: 'refuse' } });
    web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
  });
  after(() => server.close());

  it('turns the sign-in away with a stable code and leaves the existing session alone', async () => {
    const first = device(server.url, IPHONE);
    await signIn(server, web, 'bob', first);
    const second = device(server.url, FIREFOX_LINUX);
    const start = await startAuthorization(web);
    const page = await second.follow(start.url.href);
    const html = await page.response.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] as string;
    const uid = /\/interaction\/([A-Za-z0-9_-]+)\//.exec(html)?.[1] as string;
    const refused = await second.postForm(`/interaction/${uid}/login`, { csrf, username: 'bob', password: PASSWORD });
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /session_limit_reached/);
    assert.equal(await signedOut(first), false);
    assert.equal(await signedOut(second), true);
    assert.equal((await listSessions(first)).sessions.length, 1);
    // The same browser signing in again (password and all) is not a new session.
    await signIn(server, web, 'bob', first, { prompt: 'login consent' });
    assert.equal((await listSessions(first)).sessions.length, 1);
  });
});

describe('concurrent-session limit on sign-ins that finish with a second factor', () => {
  const clock = new TestClock();
  let server: TestServer;
  before(async () => {
    server = await startServer({
      env: { SESSION_LIMIT: '1', SESSION_LIMIT_MODE: 'end_oldest' },
      bootstrap: {
        ...DEFAULT_BOOTSTRAP,
        clients: [
          ...DEFAULT_BOOTSTRAP.clients,
          {
            client_id: 'strict-app',
            client_secret: 'strict-app-secret-that-is-long-enough',
            redirect_uris: [CALLBACK],
            grant_types: ['authorization_code'],
            scope: 'openid',
            require_mfa: true,
          },
        ],
      },
      options: { now: clock.now },
    });
  });
  after(() => server.close());

  it('admits the session after enrolment during sign-in and after a code, ending the oldest', async () => {
    const web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const strict = await discover(server.url, 'strict-app', 'strict-app-secret-that-is-long-enough');
    const signInTo = async (config: oidc.Configuration, options: Parameters<typeof drive>[2]) => {
      const browser = new Browserless(server.url);
      const start = await startAuthorization(config, { scope: 'openid' });
      return { browser, result: await drive(browser, start.url.href, { username: 'bob', password: PASSWORD, ...options }) };
    };

    const first = await signInTo(web, {});
    assert.deepEqual(first.result.seen, ['login', 'consent']);
    assert.equal(await signedOut(first.browser), false);

    const enrolled = await signInTo(strict, { enrolCode: (secret) => totpAt(secret, clock) });
    assert.deepEqual(enrolled.result.seen, ['login', 'enrol', 'backup_codes', 'consent']);
    assert.equal(await signedOut(first.browser), true, 'enrolment during sign-in counts against the limit');
    assert.equal(await signedOut(enrolled.browser), false);

    clock.advance(30);
    const secret = enrolled.result.secret as string;
    const coded = await signInTo(strict, { code: () => totpAt(secret, clock) });
    assert.deepEqual(coded.result.seen, ['login', 'mfa', 'consent']);
    assert.equal(await signedOut(enrolled.browser), true, 'a sign-in with a code counts against the limit');
    assert.equal(await signedOut(coded.browser), false);
  });
});
