/**
 * The machine endpoints skip our routers, the canonical-path check, the 404 and the browser
 * budget (security/machine-lane.ts). Which paths take that lane is decided at start; these tests
 * pin the list for the real app and show that the skipped checks still hold for every other
 * spelling of those paths and for the browser endpoints.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Context } from 'koa';
import { machineLane, machinePaths } from '../../src/security/machine-lane.ts';
import { startServer, type TestServer } from '../support/server.ts';

describe('the machine lane', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  const lanePaths = () => {
    const lane = server.portcullis.app.middleware.find((fn) => (fn as { paths?: unknown }).paths instanceof Set) as { paths: Set<string> } | undefined;
    assert.ok(lane, 'the app mounts the lane');
    return lane.paths;
  };

  it('takes exactly the machine endpoints, never a browser endpoint or a path of ours', () => {
    const paths = lanePaths();
    for (const path of [
      '/token',
      '/token/introspection',
      '/token/revocation',
      '/me',
      '/jwks',
      '/.well-known/openid-configuration',
      '/request',
      '/device/auth',
    ]) {
      assert.ok(paths.has(path), `${path} takes the lane`);
    }
    for (const path of ['/auth', '/device', '/session/end', '/', '/account', '/admin/v1/users', '/interaction']) {
      assert.ok(!paths.has(path), `${path} does not`);
    }
  });

  it('leaves out a provider path that a router of ours could match, and every browser endpoint', () => {
    const routes: [string, string][] = [
      ['token', '/token'],
      ['jwks', '/jwks'],
      ['authorization', '/auth'],
    ];
    const paths = machinePaths({ routes, browserEndpoint: (path) => path === '/auth', routerCouldMatch: (path) => path === '/jwks' });
    assert.deepEqual([...paths], ['/token']);
  });

  it('a lane request is handled in the next check phase, after what the loop had queued; other paths go on at once', async () => {
    const order: string[] = [];
    const lane = machineLane({
      routes: [['token', '/token']],
      browserEndpoint: () => false,
      routerCouldMatch: () => false,
      handle: async () => {
        order.push('lane');
      },
    });
    const next = async () => {
      order.push('next');
    };
    setImmediate(() => order.push('queued before'));
    const handled = lane({ path: '/token' } as Context, next);
    await Promise.resolve();
    assert.deepEqual(order, [], 'not within the same turn, not even in a microtask');
    await handled;
    assert.deepEqual(order, ['queued before', 'lane']);
    order.length = 0;
    await lane({ path: '/account' } as Context, next);
    assert.deepEqual(order, ['next'], 'a path off the lane goes on without waiting');
  });

  it('other spellings of a lane path still answer 404 before the provider', async () => {
    for (const path of ['/TOKEN', '/token/', '/Jwks', '/me/']) {
      const answer = await fetch(`${server.url}${path}`, {
        method: path.toLowerCase().startsWith('/token') ? 'POST' : 'GET',
        headers: { accept: 'application/json' },
      });
      assert.equal(answer.status, 404, path);
      assert.equal(((await answer.json()) as { error: string }).error, 'not_found');
    }
  });

  it('a lane answer carries the security headers and the request id, and the guard still counts its failures', async () => {
    const jwks = await fetch(`${server.url}/jwks`);
    assert.equal(jwks.status, 200);
    assert.equal(jwks.headers.get('x-content-type-options'), 'nosniff');
    assert.match(jwks.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.ok(jwks.headers.get('x-request-id'));
    const counted = async () => (await server.portcullis.lockout.check('endpoint.ip', { ip: '127.0.0.1' })).failures;
    const before = await counted();
    const failed = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=nobody&client_secret=wrong',
    });
    assert.equal(failed.status, 401);
    assert.equal(await counted(), before + 1, 'the endpoint guard counted the failure');
  });

  it('every lane answer, success or error, carries the same security headers as a page, and the provider keeps its own', async () => {
    const SECURITY = [
      'content-security-policy',
      'x-content-type-options',
      'x-frame-options',
      'referrer-policy',
      'cross-origin-opener-policy',
      'cross-origin-resource-policy',
      'origin-agent-cluster',
      'x-dns-prefetch-control',
      'x-download-options',
      'x-permitted-cross-domain-policies',
      'x-xss-protection',
    ];
    const page = await fetch(`${server.url}/`, { redirect: 'manual' });
    const expected = Object.fromEntries(SECURITY.map((name) => [name, page.headers.get(name)]));
    for (const [name, value] of Object.entries(expected)) assert.ok(value, `a page has ${name}`);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const answers = {
      jwks: await fetch(`${server.url}/jwks`),
      discovery: await fetch(`${server.url}/.well-known/openid-configuration`),
      'token 401': await fetch(`${server.url}/token`, {
        method: 'POST',
        headers: form,
        body: 'grant_type=client_credentials&client_id=nobody&client_secret=x',
      }),
      'token 400': await fetch(`${server.url}/token`, { method: 'POST', headers: form, body: 'grant_type=nonsense' }),
      'userinfo 401': await fetch(`${server.url}/me`),
      'introspection 401': await fetch(`${server.url}/token/introspection`, { method: 'POST', headers: form, body: 'token=x' }),
    };
    for (const [what, answer] of Object.entries(answers)) {
      const got = Object.fromEntries(SECURITY.map((name) => [name, answer.headers.get(name)]));
      assert.deepEqual(got, expected, what);
    }
    assert.equal(answers['token 401'].headers.get('cache-control'), 'no-store', 'the provider’s no-store stays');
    assert.match(answers['userinfo 401'].headers.get('www-authenticate') ?? '', /Bearer/, 'and its challenge');
  });
});
