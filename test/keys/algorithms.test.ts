/**
 * One key per configured algorithm: ES256 signs ID tokens by default, RS256 serves clients that
 * register it, extra algorithms come from KEY_ALGORITHMS, and discovery advertises exactly those.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { Browserless } from '../support/browserless.ts';
import { CALLBACK, discover, redeem, startAuthorization } from '../support/rp.ts';
import { DEFAULT_BOOTSTRAP, PASSWORD, startServer, type TestServer } from '../support/server.ts';

describe('signing algorithms', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({
      env: { KEY_ALGORITHMS: 'EdDSA' },
      bootstrap: {
        ...DEFAULT_BOOTSTRAP,
        clients: [
          ...DEFAULT_BOOTSTRAP.clients,
          { client_id: 'legacy', client_secret: 'legacy-secret-that-is-long-enough', redirect_uris: [CALLBACK], id_token_signed_response_alg: 'RS256' },
          { client_id: 'modern', client_secret: 'modern-secret-that-is-long-enough', redirect_uris: [CALLBACK], id_token_signed_response_alg: 'EdDSA' },
        ],
      },
    });
  });
  after(() => server.close());

  it('publishes a key per configured algorithm and advertises exactly those', async () => {
    const jwks = (await (await fetch(`${server.url}/jwks`)).json()) as { keys: Array<{ alg: string }> };
    assert.deepEqual(jwks.keys.map((key) => key.alg).sort(), ['ES256', 'EdDSA', 'RS256']);
    const discovery = (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
    assert.deepEqual([...(discovery.id_token_signing_alg_values_supported ?? [])].sort(), ['ES256', 'EdDSA', 'RS256']);
  });

  for (const [clientId, alg] of [
    ['web-app', 'ES256'],
    ['legacy', 'RS256'],
    ['modern', 'EdDSA'],
  ] as const) {
    it(`signs ${clientId}'s ID tokens with ${alg}`, async () => {
      const client = await discover(server.url, clientId, `${clientId}-secret-that-is-long-enough`);
      const start = await startAuthorization(client, { scope: 'openid' });
      const callback = await new Browserless(server.url).authorize(start.url.href, 'alice', PASSWORD);
      const tokens = await redeem(client, callback, start);
      const { protectedHeader } = await jwtVerify(tokens.id_token as string, createRemoteJWKSet(new URL(`${server.url}/jwks`)), {
        issuer: server.url,
        audience: clientId,
      });
      assert.equal(protectedHeader.alg, alg);
    });
  }

  it('refuses a client asking for an algorithm without a key', async () => {
    await assert.rejects(
      startServer({
        bootstrap: {
          ...DEFAULT_BOOTSTRAP,
          clients: [{ client_id: 'ps', client_secret: 'ps-secret-that-is-long-enough-000', redirect_uris: [CALLBACK], id_token_signed_response_alg: 'PS256' }],
        },
      }),
      /BOOTSTRAP_FILE: client ps: .*id_token_signed_response_alg/,
    );
  });
});
