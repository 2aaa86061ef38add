/**
 * Sign-in with a second factor, through a real client: who is asked (policy, role, client),
 * enrolment during sign-in, wrong and replayed codes, throttling, the JSON mode for custom front
 * ends, and the refusal when enrolment during sign-in is switched off.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as oidc from 'openid-client';
import { ACR_MFA, ACR_PASSWORD } from '../../src/mfa/acr.ts';
import { Browserless } from '../support/browserless.ts';
import { drive, enrolDirectly, TestClock, totpAt } from '../support/mfa.ts';
import { CALLBACK, discover, redeem, startAuthorization } from '../support/rp.ts';
import { DEFAULT_BOOTSTRAP, PASSWORD, startServer, type TestServer } from '../support/server.ts';

const user = (username: string, roles = ['user']) => ({ username, email: `${username}@example.com`, name: username, roles, password: PASSWORD });

const BOOTSTRAP = {
  ...DEFAULT_BOOTSTRAP,
  clients: [
    ...DEFAULT_BOOTSTRAP.clients,
    {
      client_id: 'strict-app',
      client_secret: 'strict-app-secret-that-is-long-enough',
      client_name: 'Strict App',
      redirect_uris: [CALLBACK],
      grant_types: ['authorization_code'],
      scope: 'openid profile',
      require_mfa: true,
    },
  ],
  users: [...DEFAULT_BOOTSTRAP.users, user('carol', ['user', 'auditor']), user('dave'), user('erin'), user('frank'), user('grace')],
};

const ENV = { MFA_REQUIRED_ROLES: 'auditor' };

describe('sign-in with a second factor', () => {
  const clock = new TestClock();
  let server: TestServer;
  let web: oidc.Configuration;
  const secrets: Record<string, string> = {};

  before(async () => {
    server = await startServer({ env: ENV, bootstrap: BOOTSTRAP, options: { now: clock.now } });
    web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    for (const name of ['alice', 'erin', 'frank', 'grace']) secrets[name] = (await enrolDirectly(server, name, clock)).secret;
  });
  after(() => server.close());

  async function signIn(username: string, options: Parameters<typeof drive>[2] = {}, config = web) {
    const start = await startAuthorization(config, { scope: 'openid' });
    const result = await drive(new Browserless(server.url), start.url.href, { username, password: PASSWORD, ...options });
    return { ...result, claims: (await redeem(config, result.callback, start)).claims() };
  }

  it('asks everyone who has MFA for a code after the password (MFA_POLICY=always)', async () => {
    clock.advance(30);
    const result = await signIn('alice', { code: () => totpAt(secrets.alice as string, clock) });
    assert.deepEqual(result.seen, ['login', 'mfa', 'consent']);
    assert.deepEqual(result.claims?.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(result.claims?.acr, ACR_MFA);
  });

  it('asks nothing more of people without MFA whom nothing requires to have it', async () => {
    const result = await signIn('bob');
    assert.deepEqual(result.seen, ['login', 'consent']);
    assert.deepEqual(result.claims?.amr, ['pwd']);
    assert.equal(result.claims?.acr, ACR_PASSWORD);
  });

  it('leads someone whose role requires MFA through enrolment during sign-in', async () => {
    const result = await signIn('carol', { enrolCode: (secret) => totpAt(secret, clock) });
    assert.deepEqual(result.seen, ['login', 'enrol', 'backup_codes', 'consent']);
    assert.equal(result.backupCodes?.length, 10);
    assert.deepEqual(result.claims?.amr, ['pwd', 'otp', 'mfa']);
    const carol = await server.portcullis.accounts.findByUsername('carol');
    assert.equal(await server.portcullis.mfa.isEnrolled(carol?.id as string), true);
    // The next sign-in uses the new authenticator (one step later: the enrolment code is spent).
    clock.advance(30);
    const again = await signIn('carol', { code: () => totpAt(result.secret as string, clock) });
    assert.deepEqual(again.seen, ['login', 'mfa', 'consent']);
  });

  it('requires MFA for a client registered with require_mfa', async () => {
    const strict = await discover(server.url, 'strict-app', 'strict-app-secret-that-is-long-enough');
    const result = await signIn('dave', { enrolCode: (secret) => totpAt(secret, clock) }, strict);
    assert.deepEqual(result.seen, ['login', 'enrol', 'backup_codes', 'consent']);
    assert.equal(result.claims?.acr, ACR_MFA);
  });

  it('signs in with a backup code, once, and says how many are left', async () => {
    const { backupCodes } = await enrolDirectly(server, 'bob', clock);
    const result = await signIn('bob', { code: async () => backupCodes[0] as string });
    assert.deepEqual(result.seen, ['login', 'mfa', 'codes_left', 'consent']);
    assert.deepEqual(result.claims?.amr, ['pwd', 'otp', 'mfa']);
    await assert.rejects(signIn('bob', { code: async () => backupCodes[0] as string }), /form answered 401/);
  });

  it('shows the code page again with 401 for a wrong or replayed code', async () => {
    clock.advance(30);
    const code = await totpAt(secrets.erin as string, clock);
    await signIn('erin', { code: async () => code });
    await assert.rejects(signIn('erin', { code: async () => code }), (error: Error) => {
      assert.match(error.message, /form answered 401: .*<title>Two-step verification/s);
      return true;
    });
  });

  it('throttles wrong codes: 429 with Retry-After after five free ones and a sixth, then lets the right code in', async () => {
    const browser = new Browserless(server.url);
    const start = await startAuthorization(web, { scope: 'openid' });
    const { response } = await browser.follow(start.url.href);
    const html = await response.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] as string;
    const uid = /\/interaction\/([A-Za-z0-9_-]+)\//.exec(html)?.[1] as string;
    assert.equal((await browser.postForm(`/interaction/${uid}/login`, { csrf, username: 'frank', password: PASSWORD })).status, 303);
    // LOCKOUT_MFA_FREE_FAILURES=5 free wrong codes; the sixth starts the 30 s wait.
    for (let attempt = 0; attempt < 6; attempt += 1) {
      assert.equal((await browser.postForm(`/interaction/${uid}/mfa`, { csrf, code: '000000' })).status, 401);
    }
    clock.advance(1);
    const blocked = await browser.postForm(`/interaction/${uid}/mfa`, { csrf, code: await totpAt(secrets.frank as string, clock) });
    assert.equal(blocked.status, 429);
    assert.equal(blocked.headers.get('retry-after'), '29');
    clock.advance(29);
    const allowed = await browser.postForm(`/interaction/${uid}/mfa`, { csrf, code: await totpAt(secrets.frank as string, clock) });
    assert.equal(allowed.status, 303);
    await server.portcullis.audit.flush();
    const frank = (await server.portcullis.accounts.findByUsername('frank'))?.id as string;
    const events = await server.portcullis.store.audit.list({ accountId: frank });
    assert.equal(events.filter((event) => event.type === 'mfa.failed' && event.detail?.reason === 'wrong_code').length, 6);
    assert.equal(events.filter((event) => event.type === 'mfa.throttled').length, 1);
  });

  it('speaks JSON: 401 mfa_required after the password, then the code by POST', async () => {
    clock.advance(30);
    const browser = new Browserless(server.url);
    const start = await startAuthorization(web, { scope: 'openid' });
    const { url } = await browser.follow(start.url.href);
    const first = await browser.request(url, { headers: { accept: 'application/json' } });
    const step = (await first.json()) as { uid: string; csrf_token: string };
    const json = { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': step.csrf_token };
    const login = await browser.request(`/interaction/${step.uid}/login`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ username: 'grace', password: PASSWORD }),
    });
    assert.equal(login.status, 401);
    const required = (await login.json()) as { error: string; mfa: { url: string; enrolment_required: boolean } };
    assert.equal(required.error, 'mfa_required');
    assert.equal(required.mfa.url, `/interaction/${step.uid}/mfa`);
    assert.equal(required.mfa.enrolment_required, false);

    const page = await browser.request(required.mfa.url, { headers: { accept: 'application/json' } });
    assert.deepEqual(((await page.json()) as { methods: string[] }).methods, ['totp', 'backup_code']);
    const wrong = await browser.request(required.mfa.url, { method: 'POST', headers: json, body: JSON.stringify({ code: '000000' }) });
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as { error: string }).error, 'invalid_code');
    const code = await totpAt(secrets.grace as string, clock);
    const done = await browser.request(required.mfa.url, { method: 'POST', headers: json, body: JSON.stringify({ code }) });
    assert.equal(done.status, 200);
    const { redirect_to } = (await done.json()) as { redirect_to: string };
    const result = await drive(browser, redirect_to, {});
    assert.deepEqual((await redeem(web, result.callback, start)).claims()?.amr, ['pwd', 'otp', 'mfa']);
  });

  it('refuses a code before the password step, and a code that is not a string', async () => {
    const browser = new Browserless(server.url);
    const start = await startAuthorization(web, { scope: 'openid' });
    const html = await (await browser.follow(start.url.href)).response.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] as string;
    const uid = /\/interaction\/([A-Za-z0-9_-]+)\//.exec(html)?.[1] as string;
    const early = await browser.request(`/interaction/${uid}/mfa`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify({ code: '123456' }),
    });
    assert.equal(early.status, 400);
    assert.equal(((await early.json()) as { error: string }).error, 'unexpected_step');
    const odd = await browser.request(`/interaction/${uid}/mfa`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: `csrf=${csrf}&code[$ne]=1`,
    });
    assert.equal(odd.status, 400);
    assert.equal(((await odd.json()) as { error: string }).error, 'invalid_request');
  });
});

describe('when enrolment during sign-in is switched off', () => {
  let server: TestServer;
  let web: oidc.Configuration;
  before(async () => {
    server = await startServer({ env: { ...ENV, MFA_ENROL_AT_LOGIN: 'false', MFA_POLICY: 'when_required' }, bootstrap: BOOTSTRAP });
    web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
  });
  after(() => server.close());

  it('ends the request at the client with unmet_authentication_requirements', async () => {
    const start = await startAuthorization(web, { scope: 'openid' });
    const result = await drive(new Browserless(server.url), start.url.href, { username: 'carol', password: PASSWORD });
    assert.deepEqual(result.seen, ['login']);
    assert.equal(result.callback.searchParams.get('error'), 'unmet_authentication_requirements');
  });

  it('does the same for a step-up on a session without MFA', async () => {
    const browser = new Browserless(server.url);
    const first = await startAuthorization(web, { scope: 'openid' });
    const signedIn = await drive(browser, first.url.href, { username: 'bob', password: PASSWORD });
    assert.ok(signedIn.callback.searchParams.get('code'));
    const second = await startAuthorization(web, { scope: 'openid', acr_values: ACR_MFA });
    const result = await drive(browser, second.url.href, {});
    assert.deepEqual(result.seen, []);
    assert.equal(result.callback.searchParams.get('error'), 'unmet_authentication_requirements');
  });
});
