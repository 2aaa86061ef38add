/** A restart keeps every key in its state: same JWKS, same signing key, old tokens still verify. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { discover } from '../support/rp.ts';
import { startServer, type TestServer } from '../support/server.ts';

const API = 'https://api.example.com';

describe('restart keeps the key states', () => {
  let server: TestServer;

  const machineToken = async (url: string) => {
    const machine = await discover(url, 'machine', 'machine-secret-that-is-long-enough', oidc.ClientSecretPost('machine-secret-that-is-long-enough'));
    return (await oidc.clientCredentialsGrant(machine, { scope: 'read', resource: API })).access_token;
  };
  const jwks = async (url: string) => (await (await fetch(`${url}/jwks`)).json()) as { keys: Array<{ kid: string }> };

  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('finds next, current, previous and revoked keys as it left them', async () => {
    const { keys } = server.portcullis;
    await keys.rotate({ alg: 'ES256', immediate: true });
    await keys.rotate({ alg: 'ES256' });
    const rsCurrent = (await keys.list()).find((key) => key.alg === 'RS256' && key.state === 'current');
    await keys.revoke(rsCurrent?.kid ?? '');
    const states = await keys.list();
    assert.deepEqual(states.map((key) => `${key.alg} ${key.state}`).sort(), [
      'ES256 current',
      'ES256 next',
      'ES256 previous',
      'RS256 current',
      'RS256 revoked',
    ]);
    const published = await jwks(server.url);
    const token = await machineToken(server.url);

    server = await server.restart();

    assert.deepEqual(await server.portcullis.keys.list(), states);
    assert.deepEqual(await jwks(server.url), published, 'the same keys, in the same order');
    await jwtVerify(token, createLocalJWKSet(await jwks(server.url)), { issuer: server.url, audience: API });
    const again = await machineToken(server.url);
    assert.equal(decodeProtectedHeader(again).kid, decodeProtectedHeader(token).kid, 'the same key signs');
  });
});
