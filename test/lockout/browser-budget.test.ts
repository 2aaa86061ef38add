/**
 * /auth, /device and /session/end each store something for an anonymous caller (an interaction,
 * a session), so one address gets a budget of requests to them per window (audit finding 6);
 * past it the answer is 429 with Retry-After and RateLimit-* fields, and other addresses go on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../support/server.ts';

const AUTH =
  '/auth?client_id=web-app&response_type=code&scope=openid&redirect_uri=http%3A%2F%2F127.0.0.1%3A9999%2Fcallback&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256';

describe('per-address budget on /auth, /device and /session/end', () => {
  let server: TestServer;
  const get = (path: string, ip: string, accept = 'application/json') =>
    fetch(`${server.url}${path}`, { headers: { 'x-forwarded-for': ip, accept }, redirect: 'manual' });

  before(async () => {
    server = await startServer({ env: { TRUST_PROXY: '127.0.0.1', LOCKOUT_BROWSER_IP_REQUESTS: '4', LOCKOUT_BROWSER_IP_WINDOW: '10m' } });
  });
  after(() => server.close());

  for (const path of [AUTH, '/device', '/session/end']) {
    const name = path.split('?')[0];
    it(`an address that sent too many requests to ${name} is refused with 429 and told when to come back`, async () => {
      const ip = `10.30.0.${name?.length}`;
      for (let i = 0; i < 4; i += 1) {
        const response = await get(path, ip);
        assert.ok(response.status < 400, `request ${i + 1} is served (${response.status})`);
        await response.text();
      }
      const refused = await get(path, ip);
      assert.equal(refused.status, 429);
      assert.equal(((await refused.json()) as { error: string }).error, 'too_many_attempts');
      assert.equal(refused.headers.get('ratelimit-limit'), '4');
      assert.equal(refused.headers.get('ratelimit-remaining'), '0');
      const wait = Number(refused.headers.get('retry-after'));
      assert.ok(wait > 500 && wait <= 600, `Retry-After ${wait} is the rest of the 10-minute window`);
      assert.equal(refused.headers.get('ratelimit-reset'), String(wait));
      const other = await get(path, '10.31.0.1');
      assert.ok(other.status < 400, 'another address is served');
      await other.text();
    });
  }

  it('a browser is shown a page, and the budget is shared by the three endpoints', async () => {
    const ip = '10.32.0.1';
    for (const path of [AUTH, '/device', '/session/end', AUTH]) await (await get(path, ip, 'text/html')).text();
    const refused = await get('/session/end', ip, 'text/html');
    assert.equal(refused.status, 429);
    assert.match(refused.headers.get('content-type') ?? '', /text\/html/);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.equal((await get('/jwks', ip)).status, 200, 'other endpoints do not count');
  });
});
