/**
 * Zero downtime: continuous token, userinfo and sign-in traffic while keys rotate, forced by
 * the operator and by the schedule. Every request and every signature check is counted; the
 * test asserts that none failed. Each rotation rebuilds the Provider while requests are inside
 * the old one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { Browserless } from '../support/browserless.ts';
import { discover, startAuthorization } from '../support/rp.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

const OPERATOR_TOKEN = 'operator-token-for-tests-0123456789abcdef';
const API = 'https://api.example.com';

interface Tally {
  ok: number;
  failed: string[];
}

describe('traffic during forced rotations', () => {
  let server: TestServer;
  let web: oidc.Configuration;
  let machine: oidc.Configuration;
  const clock = { offset: 0 };
  const tally: Tally = { ok: 0, failed: [] };
  const idTokenKids = new Set<string>();
  const iterations: number[] = [];
  const generations = { before: 0, after: 0 };

  async function counted<T>(what: string, request: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await request();
      tally.ok += 1;
      return result;
    } catch (error) {
      tally.failed.push(`${what}: ${(error as Error).message}`);
      return undefined;
    }
  }

  async function verifyIdToken(idToken: string | undefined, clientId: string): Promise<void> {
    if (!idToken) return;
    idTokenKids.add(decodeProtectedHeader(idToken).kid as string);
    await counted('id token signature', async () => {
      const jwks = await (await fetch(`${server.url}/jwks`)).json();
      await jwtVerify(idToken, createLocalJWKSet(jwks as never), { issuer: server.url, audience: clientId });
    });
  }

  async function login(): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers> {
    const start = await startAuthorization(web, { scope: 'openid email offline_access' });
    const callback = await new Browserless(server.url).authorize(start.url.href, 'alice', PASSWORD);
    return oidc.authorizationCodeGrant(web, callback, { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce });
  }

  /** A worker repeats `step` until told to stop, counting its rounds in iterations[index]. */
  function worker(index: number, stop: { now: boolean }, step: () => Promise<void>): Promise<void> {
    iterations[index] = 0;
    return (async () => {
      while (!stop.now) {
        await step();
        iterations[index] = (iterations[index] ?? 0) + 1;
        // A breath between rounds, so the fastest worker does not starve the others on 2 cores.
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
  }

  async function roundsFromEveryWorker(rounds: number): Promise<void> {
    const start = [...iterations];
    while (iterations.some((count, i) => count - (start[i] ?? 0) < rounds)) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  before(async () => {
    server = await startServer({ env: { OPERATOR_TOKEN, KEY_ROTATION_INTERVAL: '1h' }, options: { keyClock: () => new Date(Date.now() + clock.offset) } });
    web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    machine = await discover(server.url, 'machine', 'machine-secret-that-is-long-enough', oidc.ClientSecretPost('machine-secret-that-is-long-enough'));
    generations.before = server.portcullis.holder.generation;

    const stop = { now: false };
    const workers: Promise<void>[] = [];
    // Three refresh chains: refresh (token endpoint), userinfo, ID-token signature.
    for (let i = 0; i < 3; i += 1) {
      let refreshToken = (await login()).refresh_token as string;
      workers.push(
        worker(workers.length, stop, async () => {
          const tokens = await counted('refresh', () => oidc.refreshTokenGrant(web, refreshToken));
          if (!tokens) return;
          refreshToken = tokens.refresh_token as string;
          await verifyIdToken(tokens.id_token, 'web-app');
          await counted('userinfo', () => oidc.fetchUserInfo(web, tokens.access_token, oidc.skipSubjectCheck));
        }),
      );
    }
    // Whole sign-ins whose interaction starts before a swap and finishes after it.
    workers.push(
      worker(workers.length, stop, async () => {
        const tokens = await counted('sign-in', login);
        if (tokens) await verifyIdToken(tokens.id_token, 'web-app');
      }),
    );
    // Machine-to-machine JWT access tokens.
    workers.push(
      worker(workers.length, stop, async () => {
        await counted('client credentials', () => oidc.clientCredentialsGrant(machine, { scope: 'read', resource: API }));
      }),
    );

    await roundsFromEveryWorker(1);
    // Four rotations forced by the operator, all algorithms, signing at once.
    for (let i = 0; i < 4; i += 1) {
      const response = await fetch(`${server.url}/admin/v1/keys/rotate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ immediate: true }),
      });
      assert.equal(response.status, 200, await response.text());
      await roundsFromEveryWorker(1);
    }
    // Two scheduled rotations: the clock jumps to publication, then to activation.
    for (let i = 0; i < 2; i += 1) {
      clock.offset += 3_600_000;
      await server.portcullis.keys.sync();
      await roundsFromEveryWorker(1);
      clock.offset += 3_600_000;
      await server.portcullis.keys.sync();
      await roundsFromEveryWorker(1);
    }
    stop.now = true;
    await Promise.all(workers);
    generations.after = server.portcullis.holder.generation;
  });
  after(() => server.close());

  it('completes every request and every signature check: zero failures', (t) => {
    t.diagnostic(`${tally.ok} requests and checks succeeded, ${tally.failed.length} failed, ${generations.after - generations.before} provider swaps`);
    assert.deepEqual(tally.failed, []);
    assert.ok(tally.ok > 150, `only ${tally.ok} requests`);
  });

  it('really rotated under the traffic', async () => {
    // 4 forced rotations, 2 publications and 2 scheduled activations: at least 8 swaps.
    assert.ok(generations.after - generations.before >= 8, `${generations.after - generations.before} swaps`);
    // The first ES256 key and one per rotation signed ID tokens the workers received.
    assert.ok(idTokenKids.size >= 7, `ID tokens came from ${idTokenKids.size} keys`);
  });
});
