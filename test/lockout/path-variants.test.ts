/**
 * oidc-provider's router folds case and ignores one trailing slash, so /TOKEN and /token/ reach
 * the token endpoint. They answer 404 before the provider instead, which leaves exactly one path
 * per endpoint for the brute-force guard to watch (audit finding 4).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../support/server.ts';

const MACHINE = { client_id: 'machine', client_secret: 'machine-secret-that-is-long-enough' };
const RS_BASIC = `Basic ${Buffer.from('resource-server:resource-server-secret-long-enough').toString('base64')}`;

describe('provider paths only match exactly', () => {
  let server: TestServer;
  const post = (path: string, body: Record<string, string>, ip: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'x-forwarded-for': ip, ...headers },
      body: new URLSearchParams(body),
    });

  before(async () => {
    server = await startServer({ env: { TRUST_PROXY: '127.0.0.1', LOCKOUT_ENDPOINT_IP_FAILURES: '3' } });
  });
  after(() => server.close());

  it('/TOKEN, /token/ and /Token/Introspection/ answer 404 and issue nothing', async () => {
    for (const path of ['/TOKEN', '/token/', '/Token']) {
      const response = await post(path, { grant_type: 'client_credentials', ...MACHINE }, '10.20.0.1');
      assert.equal(response.status, 404, path);
      const body = (await response.json()) as { error: string; access_token?: string };
      assert.equal(body.error, 'not_found', path);
      assert.equal(body.access_token, undefined);
    }
    for (const path of ['/Token/Introspection/', '/token/introspection/', '/token/REVOCATION']) {
      const response = await post(path, { token: 'x' }, '10.20.0.1', { authorization: RS_BASIC });
      assert.equal(response.status, 404, path);
      await response.text();
    }
    const canonical = await post('/token', { grant_type: 'client_credentials', ...MACHINE }, '10.20.0.1');
    assert.equal(canonical.status, 200, 'the canonical path still works');
    assert.ok(((await canonical.json()) as { access_token?: string }).access_token);
  });

  it('other provider routes match exactly too', async () => {
    for (const path of ['/.well-known/OPENID-configuration', '/JWKS', '/jwks/', '/Me']) {
      const response = await fetch(`${server.url}${path}`);
      assert.equal(response.status, 404, path);
      await response.text();
    }
    assert.equal((await fetch(`${server.url}/jwks`)).status, 200);
  });

  it('the guard still throttles the canonical paths once an address spent its budget', async () => {
    const ip = '10.21.0.1';
    const wrong = { grant_type: 'client_credentials', client_id: 'machine', client_secret: 'not-the-secret-at-all-not-at-all' };
    for (let i = 0; i < 3; i += 1) assert.equal((await post('/token', wrong, ip)).status, 401);
    for (const path of ['/token', '/token/introspection', '/token/revocation']) {
      const response = await post(path, { grant_type: 'client_credentials', ...MACHINE, token: 'x' }, ip);
      assert.equal(response.status, 429, path);
      assert.equal(((await response.json()) as { error: string }).error, 'too_many_attempts');
    }
    for (const path of ['/TOKEN', '/token/']) {
      assert.equal((await post(path, { grant_type: 'client_credentials', ...MACHINE }, ip)).status, 404, `${path} issues nothing either`);
    }
  });
});
