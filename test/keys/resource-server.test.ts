/**
 * Resource servers that verify our JWT access tokens with jose's createRemoteJWKSet and keep
 * their JWKS copy exactly as long as our Cache-Control allows, refetching only when that copy
 * is stale (cooldown = max-age: the strictest cache a server may legitimately run). Ten of them,
 * started a minute apart, so that one has always fetched at the worst moment (just before a
 * key is published, or just after one is retired). Across three consecutive scheduled
 * rotations, every token, fresh or issued before a rotation, keeps verifying until it expires.
 *
 * Time is mocked (node:test MockTimers, Date only): the server's key schedule, oidc-provider's
 * token times and jose's cache all read the same moved clock; nothing sleeps.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, mock } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { discover } from '../support/rp.ts';
import { DEFAULT_BOOTSTRAP, startServer, type TestServer } from '../support/server.ts';

const MIN = 60_000;
const ES_API = 'https://api.example.com';
const RS_API = 'https://rs256.example.com';

interface Issued {
  token: string;
  audience: string;
  kid: string;
  exp: number;
}

describe('resource server verification across three rotations', () => {
  let server: TestServer;
  const issued: Issued[] = [];
  const stats = { verified: 0, olderThanCurrentKey: 0, failures: [] as string[], kids: new Set<string>() };
  let cacheControl: string | null = null;

  before(async () => {
    mock.timers.enable({ apis: ['Date'], now: Date.parse('2030-01-01T00:00:00Z') });
    server = await startServer({
      env: { KEY_ROTATION_INTERVAL: '30m', JWKS_MAX_AGE: '10m', KEY_SYNC_INTERVAL: '30s', ACCESS_TOKEN_TTL: '10m', ID_TOKEN_TTL: '15m' },
      bootstrap: {
        ...DEFAULT_BOOTSTRAP,
        resources: [
          { identifier: ES_API, scopes: ['read'], accessTokenFormat: 'jwt', accessTokenTTL: 600 },
          { identifier: RS_API, scopes: ['read'], accessTokenFormat: 'jwt', accessTokenTTL: 600, signingAlg: 'RS256' },
        ],
      },
      options: { keyClock: () => new Date() },
    });
    const jwksUrl = new URL(`${server.url}/jwks`);
    cacheControl = (await fetch(jwksUrl)).headers.get('cache-control');
    const maxAge = Number(/max-age=(\d+)/.exec(cacheControl ?? '')?.[1]) * 1000;
    const resourceServers: Array<ReturnType<typeof createRemoteJWKSet>> = [];
    const machine = await discover(server.url, 'machine', 'machine-secret-that-is-long-enough', oidc.ClientSecretPost('machine-secret-that-is-long-enough'));

    const currentKid = async (alg: string) => (await server.portcullis.keys.list()).find((key) => key.alg === alg && key.state === 'current')?.kid;

    // 1 h 55 min in 1-minute steps: rotations near 30, 60 and 90 min, each 10.5 min after publication.
    for (let elapsed = 0; elapsed <= 115 * MIN; elapsed += MIN) {
      if (elapsed > 0) mock.timers.tick(MIN);
      if (resourceServers.length < 10) resourceServers.push(createRemoteJWKSet(jwksUrl, { cacheMaxAge: maxAge, cooldownDuration: maxAge }));
      await server.portcullis.keys.sync();
      for (const audience of [ES_API, RS_API]) {
        const { access_token: token } = await oidc.clientCredentialsGrant(machine, { scope: 'read', resource: audience });
        const { kid } = decodeProtectedHeader(token);
        const exp = (JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as { exp: number }).exp;
        issued.push({ token, audience, kid: kid as string, exp });
        stats.kids.add(kid as string);
      }
      const now = Date.now() / 1000;
      const signing = new Set([await currentKid('ES256'), await currentKid('RS256')]);
      // Whether a token verifies depends on its key (expired ones aside), so one live token per
      // audience and kid covers them all: the oldest, which a too-early retirement would break.
      const probes = new Map<string, Issued>();
      for (const entry of issued) {
        if (entry.exp > now && !probes.has(`${entry.audience} ${entry.kid}`)) probes.set(`${entry.audience} ${entry.kid}`, entry);
      }
      for (const [index, resourceServer] of resourceServers.entries()) {
        for (const token of probes.values()) {
          try {
            await jwtVerify(token.token, resourceServer, { issuer: server.url, audience: token.audience, typ: 'at+jwt' });
            stats.verified += 1;
            if (!signing.has(token.kid)) stats.olderThanCurrentKey += 1;
          } catch (error) {
            stats.failures.push(`${new Date().toISOString()} server ${index} kid ${token.kid}: ${(error as Error).message}`);
          }
        }
      }
    }
  });
  after(async () => {
    await server?.close();
    mock.timers.reset();
  });

  it('announces the JWKS cache lifetime', () => {
    assert.equal(cacheControl, 'public, max-age=600');
  });

  it('verifies every live token at every step: zero failures', () => {
    assert.deepEqual(stats.failures, []);
    assert.ok(stats.verified > 2000, `verified ${stats.verified}`);
  });

  it('went through three rotations per algorithm, with tokens outliving their signing key', async () => {
    // First key plus three rotations, for each of ES256 and RS256.
    assert.equal(stats.kids.size, 8);
    const keys = await server.portcullis.keys.list();
    assert.equal(keys.filter((key) => key.state === 'retired').length, 6, 'each demoted key left the JWKS 20.5 min later');
    assert.ok(stats.olderThanCurrentKey > 0, 'tokens signed by a previous key were verified after the rotation');
  });
});
