/**
 * Requests that carry no credential must not grow the store without bound (audit §6): failures
 * that name no known account are logged, not stored; what is stored expires after
 * AUDIT_RETENTION; sessions with no account live minutes, not SESSION_IDLE_TTL; and oversized
 * request parameters are refused before anything keeps them.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { bearerKey } from '../../src/oidc/bearer-ids.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { Browserless } from '../support/browserless.ts';
import { openLoginForm } from '../support/login-form.ts';
import { CALLBACK } from '../support/rp.ts';
import { startServer, type TestServer } from '../support/server.ts';

const DAY_MS = 86_400_000;
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

function authorizeUrl(base: string, params: Record<string, string>): string {
  const url = new URL('/auth', base);
  const all = {
    client_id: 'web-app',
    response_type: 'code',
    scope: 'openid',
    redirect_uri: CALLBACK,
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    ...params,
  };
  for (const [key, value] of Object.entries(all)) url.searchParams.set(key, value);
  return url.href;
}

describe('unauthenticated requests and the store', () => {
  const lines: string[] = [];
  let offset = 0;
  let server: TestServer;
  before(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    server = await startServer({
      env: { AUDIT_RETENTION: '30d' },
      options: { logger: createLogger('info', sink), now: () => Date.now() + offset },
    });
  });
  after(() => server.close());

  const stored = async () => server.portcullis.store.audit.list({ limit: 10_000 });
  const logged = (type: string) =>
    lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.channel === 'audit' && line.type === type);

  it('an unknown-client /auth and an unknown-client /token add no stored audit record, but are logged', async () => {
    await server.portcullis.audit.flush();
    const before = (await stored()).length;
    const auth = await fetch(authorizeUrl(server.url, { client_id: `nope-${randomUUID()}` }), { redirect: 'manual' });
    assert.equal(auth.status, 400);
    // A known client with a malformed request (no PKCE) names no account either.
    const malformed = await fetch(authorizeUrl(server.url, { client_id: 'spa', code_challenge: '', code_challenge_method: '' }), { redirect: 'manual' });
    assert.ok(malformed.status >= 300, `refused (${malformed.status})`);
    const token = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: `nope-${randomUUID()}`, client_secret: 'guess' }),
    });
    assert.equal(token.status, 401);
    await server.portcullis.audit.flush();
    assert.equal((await stored()).length, before, 'nothing stored');
    assert.ok(logged('authorization.failed').length >= 2, 'the /auth failures are logged');
    assert.ok(
      logged('token.failed').some((line) => (line.detail as { error?: string }).error === 'invalid_client'),
      'the /token failure is logged',
    );
  });

  it('a wrong secret for a known confidential client is stored: that client is the one under attack', async () => {
    const token = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'machine', client_secret: 'a wrong guess' }),
    });
    assert.equal(token.status, 401);
    await server.portcullis.audit.flush();
    const failures = (await stored()).filter((event) => event.type === 'token.failed');
    assert.equal(failures.length, 1);
    assert.equal(failures[0]?.clientId, 'machine');
  });

  it('failing in a public client’s name is only logged: a client without a secret has nothing to guess', async () => {
    const before = (await stored()).filter((event) => event.type === 'token.failed').length;
    for (let i = 0; i < 3; i += 1) {
      const token = await fetch(`${server.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'x', client_id: 'spa', client_secret: `guess-${i}` }),
      });
      assert.equal(token.status, 401);
    }
    await server.portcullis.audit.flush();
    assert.equal((await stored()).filter((event) => event.type === 'token.failed').length, before);
  });

  it('a failed login for a known user is stored, one for an unknown username is only logged', async () => {
    const form = await openLoginForm(server.url);
    assert.equal((await form.attempt('bob', 'not the password')).status, 401);
    assert.equal((await form.attempt(`ghost-${randomUUID()}`, 'not the password')).status, 401);
    await server.portcullis.audit.flush();
    const bob = await server.portcullis.accounts.findByUsername('bob');
    const failures = (await stored()).filter((event) => event.type === 'login.failed');
    assert.equal(failures.length, 1);
    assert.equal(failures[0]?.accountId, bob?.id);
    assert.equal(logged('login.failed').length, 2, 'both are logged');
  });

  it('retention purges an audit record older than AUDIT_RETENTION', async () => {
    await server.portcullis.store.audit.append({
      id: randomUUID(),
      type: 'login.success',
      at: new Date(Date.now() - 31 * DAY_MS),
      accountId: 'written-before-retention',
    });
    // Each purge that deletes something first stores an audit.checkpoint (issue 17): not counted here.
    const events = async () => (await stored()).filter((event) => event.type !== 'audit.checkpoint');
    const kept = (await events()).length;
    assert.ok(kept >= 2);
    await server.portcullis.auditRetention.purge();
    const now = await events();
    assert.equal(now.length, kept - 1, 'only the record older than 30 days went');
    assert.ok(!now.some((event) => event.accountId === 'written-before-retention'));

    offset = 29 * DAY_MS;
    await server.portcullis.auditRetention.purge();
    assert.equal((await events()).length, kept - 1, 'a 29-day-old record stays');
    offset = 31 * DAY_MS;
    await server.portcullis.auditRetention.purge();
    assert.deepEqual(await events(), [], 'past 30 days everything has gone');
    assert.ok(
      (await stored()).some((event) => event.type === 'audit.checkpoint'),
      'but the checkpoint of that purge',
    );
    offset = 0;
  });

  it('GET /device and GET /session/end create sessions that expire within ten minutes', async () => {
    for (const path of ['/device', '/session/end']) {
      const browser = new Browserless(server.url);
      const response = await browser.request(path, { headers: { 'user-agent': 'x'.repeat(600) } });
      assert.equal(response.status, 200);
      const sessionId = /(?:^|;\s*)_session=([^;]+)/.exec(browser.jar.header() ?? '')?.[1];
      assert.ok(sessionId, `${path} set a session cookie`);
      const session = await server.portcullis.store.model('Session').find(bearerKey(sessionId)); // stored under its digest (oidc/bearer-ids.ts)
      assert.ok(session, `${path} stored a session`);
      assert.equal(session.accountId, undefined);
      const lifetime = Number(session.exp) - Math.floor(Date.now() / 1000);
      assert.ok(lifetime > 0 && lifetime <= 600, `${path}: an anonymous session lives at most 10 minutes, not ${lifetime} s`);
      const activity = session.activity as { userAgent?: string };
      assert.ok((activity.userAgent?.length ?? 0) <= 512, 'its user agent is capped');
    }
  });

  it('an authorization request with a 12 KB state is refused with 400 invalid_request and not stored', async () => {
    const interactions = server.portcullis.store.model('Interaction');
    const before = await interactions.count();
    const page = await fetch(authorizeUrl(server.url, { state: 's'.repeat(12_000) }), { redirect: 'manual' });
    assert.equal(page.status, 400);
    assert.match(await page.text(), /invalid_request[\s\S]*state|state[\s\S]*invalid_request/);
    const nonce = await fetch(authorizeUrl(server.url, { nonce: 'n'.repeat(600) }), { redirect: 'manual' });
    assert.equal(nonce.status, 400);

    const pushed = await fetch(`${server.url}/request`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('web-app:web-app-secret-that-is-long-enough').toString('base64')}`,
      },
      body: new URLSearchParams({
        response_type: 'code',
        scope: 'openid',
        redirect_uri: CALLBACK,
        code_challenge: CHALLENGE,
        code_challenge_method: 'S256',
        state: 's'.repeat(12_000),
      }),
    });
    assert.equal(pushed.status, 400);
    assert.equal(((await pushed.json()) as { error: string }).error, 'invalid_request');
    assert.equal(await server.portcullis.store.model('PushedAuthorizationRequest').count(), 0);
    assert.equal(await interactions.count(), before, 'no interaction was kept');

    const sessions = await server.portcullis.store.model('Session').count();
    const logout = await fetch(`${server.url}/session/end?state=${'s'.repeat(12_000)}`, { redirect: 'manual' });
    assert.equal(logout.status, 400, 'a logout keeps its state in the session: refused too');
    assert.match(await logout.text(), /invalid_request/);
    assert.equal(await server.portcullis.store.model('Session').count(), sessions, 'and no session was kept');

    const fine = await fetch(authorizeUrl(server.url, { state: 's'.repeat(512) }), { redirect: 'manual' });
    assert.equal(fine.status, 303, 'a 512-character state is fine');
  });
});
