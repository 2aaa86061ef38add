/**
 * The client back-off at /token cannot be turned against a client's users. A public client has
 * no secret to guess, so failures in its name throttle no one but the failing address (its
 * `endpoint.ip` budget); a confidential client's back-off counts per client AND address, and
 * only a high client-wide ceiling spans addresses. The server trusts 127.0.0.1 as a proxy so
 * that X-Forwarded-For can name two callers from loopback (audit t18).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { Browserless } from '../support/browserless.ts';
import { discover, redeem, startAuthorization } from '../support/rp.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

const MACHINE_SECRET = 'machine-secret-that-is-long-enough';
const WRONG = 'not-the-secret-at-all-not-at-all';

/** An openid-client configuration whose requests come "from" `ip`. */
async function from(server: TestServer, ip: string, clientId: string, secret?: string) {
  const config = await discover(server.url, clientId, secret, secret ? oidc.ClientSecretPost(secret) : oidc.None());
  config[oidc.customFetch] = (url, options) => {
    const headers = new Headers(options.headers as HeadersInit);
    headers.set('x-forwarded-for', ip);
    return fetch(url, { ...options, headers } as RequestInit);
  };
  return config;
}

function postToken(server: TestServer, ip: string, body: Record<string, string>) {
  return fetch(`${server.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip },
    body: new URLSearchParams(body),
  });
}

async function status(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    if (error instanceof oidc.ResponseBodyError || error instanceof oidc.WWWAuthenticateChallengeError) return error.status;
    throw error;
  }
}

describe('client authentication back-off', () => {
  let server: TestServer;
  before(async () => {
    // A one-minute first wait makes "refused" unmistakable, whatever the machine's speed.
    server = await startServer({ env: { TRUST_PROXY: '127.0.0.1', LOCKOUT_BACKOFF_BASE: '1m' } });
  });
  after(() => server.close());

  it('a stranger failing as a public client cannot stop another address redeeming its code', async () => {
    for (let i = 0; i < 7; i += 1) {
      const response = await postToken(server, '198.51.100.7', { grant_type: 'refresh_token', refresh_token: 'x', client_id: 'spa', client_secret: 'bogus' });
      await response.text();
    }

    const spa = await from(server, '203.0.113.50', 'spa');
    const start = await startAuthorization(spa, { scope: 'openid profile' });
    const browser = new Browserless(server.url, { 'x-forwarded-for': '203.0.113.50' });
    const callback = await browser.authorize(start.url.href, 'bob', PASSWORD);
    const tokens = await redeem(spa, callback, start);
    assert.ok(tokens.access_token, 'the victim redeems the code of the sign-in they just completed');
  });

  it('a confidential client guessing from one address is throttled there and not from another address', async () => {
    const guesser = await from(server, '10.5.0.1', 'machine', WRONG);
    for (let i = 0; i < 6; i += 1) assert.equal(await status(oidc.clientCredentialsGrant(guesser, { scope: '' })), 401);
    const sameAddress = await from(server, '10.5.0.1', 'machine', MACHINE_SECRET);
    assert.equal(await status(oidc.clientCredentialsGrant(sameAddress, { scope: '' })), 429, 'the guessing address waits, even with the right secret');
    const otherAddress = await from(server, '10.5.0.2', 'machine', MACHINE_SECRET);
    assert.ok((await oidc.clientCredentialsGrant(otherAddress, { scope: '' })).access_token, 'another address is not held back');
  });

  it('counts IPv6 guessing per /64, so a fresh address in the same /64 is still throttled', async () => {
    const guesser = await from(server, '2001:db8:5:1::1', 'machine', WRONG);
    for (let i = 0; i < 6; i += 1) assert.equal(await status(oidc.clientCredentialsGrant(guesser, { scope: '' })), 401);
    const neighbour = await from(server, '2001:db8:5:1:ffff::2', 'machine', MACHINE_SECRET);
    assert.equal(await status(oidc.clientCredentialsGrant(neighbour, { scope: '' })), 429);
    const elsewhere = await from(server, '2001:db8:5:2::1', 'machine', MACHINE_SECRET);
    assert.ok((await oidc.clientCredentialsGrant(elsewhere, { scope: '' })).access_token);
  });
});

describe('client-wide ceiling on failed client authentication', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({
      env: { TRUST_PROXY: '127.0.0.1', LOCKOUT_CLIENT_TOTAL_FAILURES: '4', LOCKOUT_CLIENT_FREE_FAILURES: '100' },
    });
  });
  after(() => server.close());

  it('holds back new addresses of a confidential client once many addresses failed, but not its usual address', async () => {
    const usual = await from(server, '10.4.0.1', 'machine', MACHINE_SECRET);
    assert.ok((await oidc.clientCredentialsGrant(usual, { scope: '' })).access_token);
    for (let i = 0; i < 4; i += 1) {
      const guesser = await from(server, `10.4.1.${i}`, 'machine', WRONG);
      assert.equal(await status(oidc.clientCredentialsGrant(guesser, { scope: '' })), 401);
    }
    const response = await postToken(server, '10.4.2.1', { grant_type: 'client_credentials', client_id: 'machine', client_secret: MACHINE_SECRET });
    assert.equal(response.status, 429, 'a new address waits once the ceiling is spent');
    assert.equal(response.headers.get('ratelimit-limit'), '4');
    assert.ok(Number(response.headers.get('retry-after')) > 3000, 'for the rest of the hour');
    assert.equal(((await response.json()) as { error: string }).error, 'too_many_attempts');
    assert.ok((await oidc.clientCredentialsGrant(usual, { scope: '' })).access_token, 'the usual address is still served');
  });

  it('never applies to a public client, however many addresses fail in its name', async () => {
    for (let i = 0; i < 6; i += 1) {
      const response = await postToken(server, `10.3.1.${i}`, { grant_type: 'refresh_token', refresh_token: 'x', client_id: 'spa', client_secret: 'bogus' });
      assert.notEqual(response.status, 429);
      await response.text();
    }
    const response = await postToken(server, '10.3.2.1', { grant_type: 'refresh_token', refresh_token: 'not-a-token', client_id: 'spa' });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: string }).error, 'invalid_grant');
  });
});
