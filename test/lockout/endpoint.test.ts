/**
 * Token, introspection and revocation under attack, driven by openid-client: a client whose
 * authentication keeps failing backs off (except where it normally authenticates from), and an
 * address sending failing requests runs out of budget. The server trusts 127.0.0.1 as a proxy so
 * that X-Forwarded-For can name the caller's address.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { discover } from '../support/rp.ts';
import { startServer, type TestServer } from '../support/server.ts';

const MACHINE_SECRET = 'machine-secret-that-is-long-enough';
const RS_SECRET = 'resource-server-secret-long-enough';

interface Refusal {
  status: number;
  error: string;
  response: Response;
}

/** The error a refused request raises in openid-client (a body error, or a challenge for Basic auth). */
async function refusal(promise: Promise<unknown>): Promise<Refusal> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof oidc.ResponseBodyError || error instanceof oidc.WWWAuthenticateChallengeError) {
      const code = error instanceof oidc.ResponseBodyError ? error.error : error.cause[0]?.parameters.error;
      return { status: error.status, error: String(code), response: error.response };
    }
    throw error;
  }
  assert.fail('the request was not refused');
}

describe('token endpoint throttling', () => {
  let server: TestServer;
  /** A configured client whose requests come "from" `ip`. */
  const client = async (clientId: string, secret: string, ip: string, auth: 'post' | 'basic') => {
    const config = await discover(server.url, clientId, secret, auth === 'post' ? oidc.ClientSecretPost(secret) : oidc.ClientSecretBasic(secret));
    config[oidc.customFetch] = (url, options) => {
      const headers = new Headers(options.headers as HeadersInit);
      headers.set('x-forwarded-for', ip);
      return fetch(url, { ...options, headers } as RequestInit);
    };
    return config;
  };

  before(async () => {
    server = await startServer({
      env: { TRUST_PROXY: '127.0.0.1', LOCKOUT_CLIENT_FREE_FAILURES: '1', LOCKOUT_BACKOFF_BASE: '1m', LOCKOUT_ENDPOINT_IP_FAILURES: '3' },
    });
  });
  after(() => server.close());

  it('backs off a client whose secret keeps failing, refusing even the right secret (429, RateLimit fields)', async () => {
    const guesser = await client('machine', 'not-the-secret-at-all-not-at-all', '10.9.0.1', 'post');
    for (let i = 0; i < 2; i += 1) {
      const wrong = await refusal(oidc.clientCredentialsGrant(guesser, { scope: '' }));
      assert.equal(wrong.error, 'invalid_client');
    }
    // Only the guessing address: since the back-off counts per client and address, others go on
    // (client-auth.test.ts).
    for (const ip of ['10.9.0.1']) {
      const right = await client('machine', MACHINE_SECRET, ip, 'post');
      const refused = await refusal(oidc.clientCredentialsGrant(right, { scope: '' }));
      assert.equal(refused.status, 429);
      assert.equal(refused.error, 'too_many_attempts');
      assert.equal(refused.response.headers.get('retry-after'), '60');
      assert.equal(refused.response.headers.get('ratelimit-limit'), '1');
      assert.equal(refused.response.headers.get('ratelimit-remaining'), '0');
      assert.equal(refused.response.headers.get('ratelimit-reset'), '60');
    }
  });

  it('keeps serving a client from the address it authenticates from while a stranger is held back', async () => {
    const backend = await client('resource-server', RS_SECRET, '10.8.0.1', 'basic');
    assert.equal((await oidc.tokenIntrospection(backend, 'no-such-token')).active, false);
    const guesser = await client('resource-server', 'not-the-secret-at-all-not-at-all', '10.8.0.2', 'basic');
    for (let i = 0; i < 2; i += 1) assert.equal((await refusal(oidc.tokenIntrospection(guesser, 'x'))).error, 'invalid_client');
    // The stranger is the guessing address (the back-off counts per client and address).
    const stranger = await client('resource-server', RS_SECRET, '10.8.0.2', 'basic');
    assert.equal((await refusal(oidc.tokenIntrospection(stranger, 'x'))).status, 429);
    assert.equal((await oidc.tokenIntrospection(backend, 'no-such-token')).active, false, 'the usual address is not held back');
  });

  it('spends an address’s budget on failing token, introspection and revocation requests', async () => {
    const ip = '10.7.0.1';
    const wrong = 'not-the-secret-at-all-not-at-all';
    assert.equal((await refusal(oidc.tokenIntrospection(await client('first-party', wrong, ip, 'basic'), 'x'))).status, 401);
    assert.equal((await refusal(oidc.tokenRevocation(await client('web-app', wrong, ip, 'basic'), 'x'))).status, 401);
    const spa = await discover(server.url, 'spa');
    spa[oidc.customFetch] = (url, options) =>
      fetch(url, { ...options, headers: { ...(options.headers as Record<string, string>), 'x-forwarded-for': ip } } as RequestInit);
    assert.equal((await refusal(oidc.refreshTokenGrant(spa, 'not-a-refresh-token'))).status, 400);

    const good = await client('web-app', 'web-app-secret-that-is-long-enough', ip, 'basic');
    const refused = await refusal(oidc.tokenIntrospection(good, 'x'));
    assert.equal(refused.status, 429, 'a good request from a spent address waits too');
    assert.equal(refused.error, 'too_many_attempts');
    assert.ok(Number(refused.response.headers.get('retry-after')) > 800, 'for the rest of its 15-minute window');
    const elsewhere = await client('web-app', 'web-app-secret-that-is-long-enough', '10.7.0.2', 'basic');
    assert.equal((await oidc.tokenIntrospection(elsewhere, 'x')).active, false);
  });

  it('does not count successful requests against an address', async () => {
    const busy = await client('resource-server', RS_SECRET, '10.6.0.1', 'basic');
    for (let i = 0; i < 6; i += 1) assert.equal((await oidc.tokenIntrospection(busy, `token-${i}`)).active, false);
  });
});
