/** Security headers, CORS policy and health endpoints as a browser or a probe sees them. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Browserless } from '../support/browserless.ts';
import { discover, startAuthorization } from '../support/rp.ts';
import { startServer, type TestServer } from '../support/server.ts';

const ALLOWED = 'https://spa.example.com';

describe('HTTP security', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ env: { CORS_ORIGINS: ALLOWED } });
  });
  after(() => server.close());

  it('sends security headers and no-store on interaction pages', async () => {
    const web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const start = await startAuthorization(web);
    const { response } = await new Browserless(server.url).follow(start.url.href);
    assert.equal(response.status, 200);
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
    assert.ok(response.headers.get('x-request-id'));
    const html = await response.text();
    assert.doesNotMatch(html, /<script/i, 'no scripts on the login page');
  });

  it('allows listed origins at the token endpoint and refuses others', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/token`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
    const allowed = await preflight(ALLOWED);
    assert.equal(allowed.headers.get('access-control-allow-origin'), ALLOWED);
    const denied = await preflight('https://evil.example.com');
    assert.equal(denied.headers.get('access-control-allow-origin'), null);
    assert.equal(denied.status, 403);

    const basic = `Basic ${Buffer.from('web-app:web-app-secret-that-is-long-enough').toString('base64')}`;
    const post = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { origin: 'https://evil.example.com', authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&refresh_token=x',
    });
    assert.equal(post.status, 400);
    assert.equal(post.headers.get('access-control-allow-origin'), null);
  });

  it('lets any origin read discovery and JWKS', async () => {
    const response = await fetch(`${server.url}/jwks`, { headers: { origin: 'https://anyone.example.com' } });
    assert.equal(response.status, 200);
    assert.ok(response.headers.get('access-control-allow-origin'));
  });

  it('sends no CORS headers on our own pages', async () => {
    const response = await fetch(`${server.url}/healthz`, { headers: { origin: ALLOWED } });
    assert.equal(response.headers.get('access-control-allow-origin'), null);
  });

  it('reports health and readiness', async () => {
    assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { status: 'ok' });
    assert.deepEqual(await (await fetch(`${server.url}/readyz`)).json(), { status: 'ready', store: 'embedded' });
  });
});
