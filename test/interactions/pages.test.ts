/**
 * The interaction endpoints as browsers and custom front ends use them: JSON mode, consent,
 * CSRF, and every kind of bad input answered with a clear 4xx and a stable code.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as oidc from 'openid-client';
import { Browserless } from '../support/browserless.ts';
import { discover, redeem, startAuthorization } from '../support/rp.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

describe('interactions', () => {
  let server: TestServer;
  let web: oidc.Configuration;

  before(async () => {
    server = await startServer();
    web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
  });
  after(() => server.close());

  /** Opens an authorization request and returns the browser, the interaction uid and the CSRF token. */
  async function open(config = web, params: Record<string, string> = {}) {
    const browser = new Browserless(server.url);
    const start = await startAuthorization(config, params);
    const { url } = await browser.follow(start.url.href);
    const uid = new URL(url).pathname.split('/').pop() as string;
    const details = await browser.request(`/interaction/${uid}`, { headers: { accept: 'application/json' } });
    const body = (await details.json()) as { csrf_token: string; prompt: { name: string } };
    return { browser, start, uid, csrf: body.csrf_token, prompt: body.prompt.name };
  }

  async function expectError(response: Response, status: number, code: string) {
    assert.equal(response.status, status, `expected ${status}, got ${response.status}`);
    const text = await response.text();
    assert.doesNotMatch(text, /at .*\.ts:\d+|Error:|stack/i, 'no stack trace leaks');
    if ((response.headers.get('content-type') ?? '').includes('json')) {
      assert.equal(JSON.parse(text).error, code);
    } else {
      assert.match(text, new RegExp(code));
    }
  }

  describe('JSON mode for custom front ends', () => {
    it('describes the step and logs in with JSON', async () => {
      const { browser, start, uid, csrf, prompt } = await open();
      assert.equal(prompt, 'login');
      const response = await browser.request(`/interaction/${uid}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify({ username: 'alice', password: PASSWORD }),
      });
      assert.equal(response.status, 200);
      const { redirect_to: redirectTo } = (await response.json()) as { redirect_to: string };
      // Next step is consent for this third-party client.
      const next = await browser.follow(redirectTo);
      const consentUid = new URL(next.url).pathname.split('/').pop() as string;
      const step = await browser.request(`/interaction/${consentUid}`, { headers: { accept: 'application/json' } });
      const described = (await step.json()) as { prompt: { name: string }; scopes: string[]; csrf_token: string };
      assert.equal(described.prompt.name, 'consent');
      assert.ok(described.scopes.includes('email'));
      const confirmed = await browser.request(`/interaction/${consentUid}/confirm`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': described.csrf_token },
        body: JSON.stringify({}),
      });
      const landed = await browser.follow(((await confirmed.json()) as { redirect_to: string }).redirect_to);
      const tokens = await redeem(web, new URL(landed.url), start);
      assert.ok(tokens.access_token);
    });

    it('answers a wrong password with 401 invalid_credentials, the same for an unknown user', async () => {
      const wrong = await open();
      const unknown = await open();
      const post = (session: typeof wrong, username: string) =>
        session.browser.request(`/interaction/${session.uid}/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': session.csrf },
          body: JSON.stringify({ username, password: 'not the password at all' }),
        });
      const a = await post(wrong, 'alice');
      const b = await post(unknown, 'nobody-by-this-name');
      assert.equal(a.status, 401);
      assert.equal(b.status, 401);
      assert.deepEqual(await a.json(), await b.json());
    });
  });

  describe('consent', () => {
    it('skips consent for first-party clients', async () => {
      const firstParty = await discover(server.url, 'first-party', 'first-party-secret-that-is-long-enough');
      const start = await startAuthorization(firstParty, { prompt: 'login', scope: 'openid profile' });
      const browser = new Browserless(server.url);
      const { url } = await browser.follow(start.url.href);
      const uid = new URL(url).pathname.split('/').pop() as string;
      const page = await (await browser.request(`/interaction/${uid}`)).text();
      const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] as string;
      const posted = await browser.postForm(`/interaction/${uid}/login`, { csrf, username: 'bob', password: PASSWORD });
      const landed = await browser.follow(posted.headers.get('location') as string);
      assert.ok(new URL(landed.url).searchParams.get('code'), 'no consent page in between');
    });

    it('returns access_denied to the client when the person cancels', async () => {
      const { browser, uid, csrf } = await open();
      const posted = await browser.postForm(`/interaction/${uid}/abort`, { csrf });
      assert.equal(posted.status, 303);
      const landed = await browser.follow(posted.headers.get('location') as string);
      assert.equal(new URL(landed.url).searchParams.get('error'), 'access_denied');
    });
  });

  describe('bad input', () => {
    it('refuses an oversized body with 413', async () => {
      const { browser, uid, csrf } = await open();
      const response = await browser.postForm(`/interaction/${uid}/login`, { csrf, username: 'alice', password: 'x'.repeat(40_000) });
      await expectError(response, 413, 'request_too_large');
    });

    it('refuses an unsupported content type with 415', async () => {
      const { browser, uid } = await open();
      const response = await browser.request(`/interaction/${uid}/login`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', accept: 'application/json' },
        body: 'username=alice',
      });
      await expectError(response, 415, 'unsupported_media_type');
    });

    it('refuses malformed JSON with 400', async () => {
      const { browser, uid, csrf } = await open();
      const response = await browser.request(`/interaction/${uid}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf },
        body: '{"username": "alice", ',
      });
      await expectError(response, 400, 'invalid_request');
    });

    for (const [label, body] of [
      ['username', { username: { $ne: null }, password: PASSWORD }],
      ['username $gt', { username: { $gt: '' }, password: PASSWORD }],
      ['password', { username: 'alice', password: { $ne: null } }],
      ['csrf', { username: 'alice', password: PASSWORD, csrf: { $ne: null } }],
      ['arrays', { username: ['alice'], password: PASSWORD }],
      ['unknown fields', { username: 'alice', password: PASSWORD, role: 'admin' }],
    ] as const) {
      it(`refuses operator objects and odd shapes in JSON (${label}) with 400`, async () => {
        const { browser, uid, csrf } = await open();
        const response = await browser.request(`/interaction/${uid}/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf },
          body: JSON.stringify(body),
        });
        await expectError(response, 400, 'invalid_request');
      });
    }

    it('refuses operator objects in urlencoded forms with 400', async () => {
      const { browser, uid, csrf } = await open();
      const response = await browser.request(`/interaction/${uid}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `csrf=${csrf}&username[$ne]=x&password[$ne]=x`,
      });
      await expectError(response, 400, 'invalid_request');
    });

    it('answers an unknown interaction id with 400, in HTML and JSON', async () => {
      const stranger = new Browserless(server.url);
      const unknown = '/interaction/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
      await expectError(await stranger.request(unknown), 400, 'interaction_expired');
      await expectError(await stranger.request(unknown, { headers: { accept: 'application/json' } }), 400, 'interaction_expired');
      await expectError(await stranger.request('/interaction/..%2F..%2Fetc'), 400, 'invalid_request');
      // A browser in the middle of another sign-in is told the page is not its own.
      const { browser } = await open();
      await expectError(await browser.request(unknown, { headers: { accept: 'application/json' } }), 400, 'interaction_mismatch');
    });

    it('refuses a form without its CSRF token, or with a tampered CSRF cookie, with 403', async () => {
      const { browser, uid, csrf } = await open();
      await expectError(await browser.postForm(`/interaction/${uid}/login`, { username: 'alice', password: PASSWORD }), 403, 'csrf_failed');
      await expectError(
        await browser.postForm(`/interaction/${uid}/login`, { csrf: 'A'.repeat(43), username: 'alice', password: PASSWORD }),
        403,
        'csrf_failed',
      );
      // Forge the cookie to match a chosen token: the signature no longer verifies.
      browser.jar.set('portcullis.csrf', 'B'.repeat(43));
      await expectError(
        await browser.postForm(`/interaction/${uid}/login`, { csrf: 'B'.repeat(43), username: 'alice', password: PASSWORD }),
        403,
        'csrf_failed',
      );
      assert.ok(csrf);
    });

    it('refuses a POST for a step that is not due', async () => {
      const { browser, uid, csrf } = await open();
      await expectError(await browser.postForm(`/interaction/${uid}/confirm`, { csrf }), 400, 'unexpected_step');
    });

    it('ignores a tampered session cookie and asks for a login again', async () => {
      const browser = new Browserless(server.url);
      const start = await startAuthorization(web, { scope: 'openid' });
      await browser.authorize(start.url.href, 'alice', PASSWORD);
      const session = browser.jar.get('_session');
      assert.ok(session);
      browser.jar.set('_session', `${session.slice(0, -2)}xx`);
      const again = await startAuthorization(web, { scope: 'openid' });
      const { response } = await browser.follow(again.url.href);
      assert.equal(response.status, 200);
      assert.match(await response.text(), /name="password"/);
    });

    it('answers unknown paths with 404 not_found, never 500', async () => {
      const response = await fetch(`${server.url}/nothing/here`, { headers: { accept: 'application/json' } });
      assert.equal(response.status, 404);
    });

    it('rejects bogus tokens at userinfo and the token endpoint with 4xx codes', async () => {
      const userinfo = await fetch(`${server.url}/me`, { headers: { authorization: 'Bearer not-a-real-token' } });
      assert.equal(userinfo.status, 401);
      assert.match(userinfo.headers.get('www-authenticate') ?? '', /invalid_token/);
      const basic = `Basic ${Buffer.from('web-app:web-app-secret-that-is-long-enough').toString('base64')}`;
      const token = await fetch(`${server.url}/token`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=refresh_token&refresh_token=forged',
      });
      assert.equal(token.status, 400);
      assert.equal(((await token.json()) as { error: string }).error, 'invalid_grant');
      const operator = await fetch(`${server.url}/token`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'authorization_code', code: { $ne: null } }),
      });
      assert.ok(operator.status >= 400 && operator.status < 500, `token endpoint answered ${operator.status}`);
      const huge = await fetch(`${server.url}/token`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=authorization_code&code=${'a'.repeat(300_000)}`,
      });
      assert.ok(huge.status >= 400 && huge.status < 500, `oversized token request answered ${huge.status}`);
    });
  });
});
