/**
 * What the metrics say after things happen: sign-ins that fail, are throttled or locked, a
 * refresh token used twice, a signing-key rotation, and requests by route template. Every
 * assertion compares a scrape before with a scrape after, over the metrics port.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { familyOf, invalidGrant, signIn } from '../support/families.ts';
import { openLoginForm } from '../support/login-form.ts';
import { samples, scrape, value } from '../support/metrics.ts';
import { discover } from '../support/rp.ts';
import { DEFAULT_BOOTSTRAP, freePort, PASSWORD, startServer, type TestServer } from '../support/server.ts';

const OPERATOR_TOKEN = 'operator-token-for-metrics-tests-0123456789';
const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
const PEOPLE = ['alice', 'bob', 'carol', 'dave'];
const BOOTSTRAP = {
  ...DEFAULT_BOOTSTRAP,
  users: PEOPLE.map((username) => ({ username, email: `${username}@example.com`, roles: ['user'], password: PASSWORD })),
};
const DAY_MS = 86_400_000;

describe('metrics counted from what happens', () => {
  let server: TestServer;
  let metricsUrl: string;
  const clock = { offset: 0 };
  /** Scrapes once every audit subscriber has seen the events so far. */
  const metrics = async () => {
    await server.portcullis.audit.flush();
    return scrape(metricsUrl);
  };

  before(async () => {
    const port = await freePort();
    server = await startServer({
      bootstrap: BOOTSTRAP,
      env: {
        METRICS_PORT: String(port),
        OPERATOR_TOKEN,
        TRUST_PROXY: '127.0.0.1',
        LOCKOUT_USER_IP_FREE_FAILURES: '1',
        LOCKOUT_USER_FREE_FAILURES: '2',
        LOCKOUT_BACKOFF_BASE: '1m',
      },
      options: { keyClock: () => new Date(Date.now() + clock.offset) },
    });
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
  });
  after(() => server.close());

  it('counts a failed sign-in, then a throttled one, and the lockout dimension that refused it', async () => {
    const before = await metrics();
    const form = await openLoginForm(server.url);
    assert.equal((await form.attempt('bob', 'wrong', from('10.1.0.1'))).status, 401);
    const once = await metrics();
    assert.equal(
      value(once, 'portcullis_login_attempts_total', { result: 'failure' }) - value(before, 'portcullis_login_attempts_total', { result: 'failure' }),
      1,
    );
    assert.equal(
      value(once, 'portcullis_login_attempts_total', { result: 'throttled' }),
      value(before, 'portcullis_login_attempts_total', { result: 'throttled' }),
    );

    assert.equal((await form.attempt('bob', 'wrong', from('10.1.0.1'))).status, 401);
    assert.equal((await form.attempt('bob', PASSWORD, from('10.1.0.1'))).status, 429);
    assert.equal((await form.attempt('bob', PASSWORD, from('10.1.0.1'))).status, 429);
    const later = await metrics();
    const moved = (name: string, labels: Record<string, string>) => value(later, name, labels) - value(before, name, labels);
    assert.equal(moved('portcullis_login_attempts_total', { result: 'failure' }), 2);
    // Every refusal counts, not only the first of a minute (the audit trail notes one a minute).
    assert.equal(moved('portcullis_login_attempts_total', { result: 'throttled' }), 2);
    assert.equal(moved('portcullis_login_attempts_total', { result: 'success' }), 0);
    assert.equal(moved('portcullis_lockout_refusals_total', { dimension: 'login.user_ip' }), 2);
  });

  it('counts a sign-in refused by a hard lock as locked', async () => {
    const before = await metrics();
    await server.portcullis.lockout.lock('username', 'dave');
    const form = await openLoginForm(server.url);
    assert.equal((await form.attempt('dave', PASSWORD, from('10.2.0.1'))).status, 423);
    const later = await metrics();
    assert.equal(
      value(later, 'portcullis_login_attempts_total', { result: 'locked' }) - value(before, 'portcullis_login_attempts_total', { result: 'locked' }),
      1,
    );
  });

  it('counts tokens by grant type, a successful sign-in, and a refresh token used twice', async () => {
    const web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const before = await metrics();
    const first = await signIn(server, web, 'carol');
    await familyOf(server, first.refresh_token);
    await oidc.refreshTokenGrant(web, first.refresh_token as string);
    const rotated = await metrics();
    const moved = (text: string, name: string, labels: Record<string, string> = {}) => value(text, name, labels) - value(before, name, labels);
    assert.equal(moved(rotated, 'portcullis_login_attempts_total', { result: 'success' }), 1);
    assert.equal(moved(rotated, 'portcullis_tokens_issued_total', { grant_type: 'authorization_code' }), 1);
    assert.equal(moved(rotated, 'portcullis_tokens_issued_total', { grant_type: 'refresh_token' }), 1);
    assert.equal(moved(rotated, 'portcullis_refresh_token_reuse_total'), 0);

    await assert.rejects(oidc.refreshTokenGrant(web, first.refresh_token as string), invalidGrant);
    const reused = await metrics();
    assert.equal(moved(reused, 'portcullis_refresh_token_reuse_total'), 1);
    assert.equal(moved(reused, 'portcullis_tokens_issued_total', { grant_type: 'refresh_token' }), 1);
  });

  it('shows signing keys by state and the current key’s age, read at scrape time, and a rotation moves them', async () => {
    clock.offset = 10 * DAY_MS;
    const before = await metrics();
    assert.equal(value(before, 'portcullis_signing_keys', { state: 'current' }), 2);
    assert.equal(value(before, 'portcullis_signing_keys', { state: 'previous' }), 0);
    const age = value(before, 'portcullis_signing_key_age_seconds', { alg: 'ES256' });
    assert.ok(age >= 10 * 86_400 && age < 10 * 86_400 + 600, `ES256 key age ${age}`);

    const response = await fetch(`${server.url}/admin/v1/keys/rotate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ alg: 'ES256', immediate: true }),
    });
    assert.equal(response.status, 200, await response.text());
    const later = await metrics();
    assert.equal(value(later, 'portcullis_signing_keys', { state: 'current' }), 2);
    assert.equal(value(later, 'portcullis_signing_keys', { state: 'previous' }), 1);
    assert.ok(value(later, 'portcullis_signing_key_age_seconds', { alg: 'ES256' }) < 600, 'the new ES256 key is young');
    assert.ok(value(later, 'portcullis_signing_key_age_seconds', { alg: 'RS256' }) >= 10 * 86_400, 'RS256 was not rotated');
  });

  it('times requests by route template, with unmatched paths under one label', async () => {
    const before = await metrics();
    const form = await openLoginForm(server.url);
    await form.attempt('nobody', 'wrong', from('10.3.0.1'));
    await fetch(`${server.url}/no-such-page/${'x'.repeat(10)}`);
    await fetch(`${server.url}/.well-known/openid-configuration`);
    const later = await metrics();
    const count = (labels: Record<string, string>) =>
      value(later, 'portcullis_http_request_duration_seconds_count', labels) - value(before, 'portcullis_http_request_duration_seconds_count', labels);
    assert.equal(count({ route: '/interaction/:uid/login', method: 'POST', status_class: '4xx' }), 1);
    assert.equal(count({ route: '/auth', method: 'GET', status_class: '3xx' }), 1);
    assert.equal(count({ route: '/interaction/:uid', method: 'GET', status_class: '2xx' }), 1);
    // Once by openLoginForm's discovery, once by the fetch above.
    assert.equal(count({ route: '/.well-known/openid-configuration', method: 'GET', status_class: '2xx' }), 2);
    assert.ok(count({ route: 'unmatched', method: 'GET', status_class: '4xx' }) >= 1);
    const routes = new Set(
      samples(later)
        .filter((s) => s.name === 'portcullis_http_request_duration_seconds_count')
        .map((s) => s.labels.route),
    );
    assert.ok(![...routes].some((route) => route?.includes('no-such-page') || /\/interaction\/[A-Za-z0-9_-]{10,}/.test(route ?? '')), [...routes].join(' '));
  });

  it('times password hashing and store operations', async () => {
    const later = await metrics();
    assert.ok(value(later, 'portcullis_password_hash_duration_seconds_count') > 0);
    assert.equal(value(later, 'portcullis_password_hash_queue'), 0);
    assert.ok(value(later, 'portcullis_store_operation_duration_seconds_count', { backend: 'embedded', operation: 'accounts.findByUsername' }) > 0);
    assert.ok(value(later, 'portcullis_store_operation_duration_seconds_count', { backend: 'embedded', operation: 'RefreshToken.consume' }) > 0);
    assert.equal(value(later, 'portcullis_lockout_store_fallback'), 0, 'no Redis configured: nothing to fall back from');
  });

  it('never puts a username or an IP address in a label, even after alice signs in from 127.0.0.1', async () => {
    const web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    await signIn(server, web, 'alice');
    const form = await openLoginForm(server.url);
    await form.attempt('alice', 'wrong');
    const text = await metrics();
    const offenders = samples(text).filter((s) => Object.values(s.labels).some((label) => /alice|127\.0\.0\.1|10\.\d+\.0\.1/.test(label)));
    assert.deepEqual(offenders, []);
    assert.doesNotMatch(text, /alice|127\.0\.0\.1/);
  });
});
