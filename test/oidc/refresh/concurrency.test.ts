/**
 * Many parallel refreshes with one refresh token, through openid-client, against the embedded
 * store and (when MONGODB_URI is set) MongoDB, in strict mode and with a grace window.
 *
 * Each case runs twice: as the requests happen to arrive, and with every request held at the
 * store until all have passed oidc-provider's "already used?" check (support/barrier-store.ts),
 * so that only the store's conditional write can tell them apart. While they run, a sampler
 * reads the family from the store as fast as it can: at no point may it hold two live tokens.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { bearerKey } from '../../../src/oidc/bearer-ids.ts';
import { createEmbeddedStore } from '../../../src/storage/embedded/index.ts';
import type { Store } from '../../../src/storage/port.ts';
import { type BarrierStore, withFindBarrier } from '../../support/barrier-store.ts';
import { auditEvents, familyOf, grantExists, invalidGrant, liveTokens, signIn } from '../../support/families.ts';
import { MONGODB_URI, mongoDatabases, mongoSkipped } from '../../support/mongo.ts';
import { discover } from '../../support/rp.ts';
import { startServer, type TestServer } from '../../support/server.ts';
import { tempDir } from '../../support/tmp.ts';

const PARALLEL = 20;

interface Race {
  grantId: string;
  successes: oidc.TokenEndpointResponse[];
  mostLiveSeen: number;
}

async function race(server: TestServer, web: oidc.Configuration, barrier?: BarrierStore): Promise<Race> {
  const first = await signIn(server, web);
  const grantId = await familyOf(server, first.refresh_token);
  // The barrier sits on the store, beneath the adapter: it sees the token's digest.
  barrier?.arm(bearerKey(first.refresh_token as string), PARALLEL);
  let running = true;
  let mostLiveSeen = 0;
  const sampler = (async () => {
    while (running) {
      mostLiveSeen = Math.max(mostLiveSeen, (await liveTokens(server, grantId)).length);
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  const settled = await Promise.allSettled(Array.from({ length: PARALLEL }, () => oidc.refreshTokenGrant(web, first.refresh_token as string)));
  running = false;
  await sampler;
  if (barrier) assert.equal(barrier.held, PARALLEL, 'every request reached the store before any consumed');
  for (const result of settled) if (result.status === 'rejected') invalidGrant(result.reason);
  mostLiveSeen = Math.max(mostLiveSeen, (await liveTokens(server, grantId)).length);
  assert.ok(mostLiveSeen <= 1, `at most one live refresh token at any time, saw ${mostLiveSeen}`);
  return { grantId, successes: settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : [])), mostLiveSeen };
}

async function reasonsFor(server: TestServer, grantId: string): Promise<unknown[]> {
  const events = await auditEvents(server, 'refresh_token.reuse_detected');
  return events.filter((event) => event.detail?.grantId === grantId).map((event) => event.detail?.reason);
}

function concurrencySuite(backend: string, openStore: () => Promise<{ store: Store; close(): Promise<void> }>) {
  for (const grace of [0, 30]) {
    describe(`${PARALLEL} parallel refreshes with one token (${backend}, grace ${grace}s)`, () => {
      let server: TestServer;
      let web: oidc.Configuration;
      let barrier: BarrierStore;
      let close: () => Promise<void>;

      before(async () => {
        const opened = await openStore();
        close = opened.close;
        barrier = withFindBarrier(opened.store);
        server = await startServer({ env: { REFRESH_REUSE_GRACE_SECONDS: String(grace) }, options: { store: barrier.store } });
        web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
      });
      after(async () => {
        await server?.close();
        await close?.();
      });

      if (grace === 0) {
        for (const forced of [false, true]) {
          it(`${forced ? 'all past the first check' : 'as they arrive'}: at most one gets tokens, and the family ends revoked`, async () => {
            const { grantId, successes } = await race(server, web, forced ? barrier : undefined);
            assert.ok(successes.length <= 1, `at most one success, got ${successes.length}`);
            // Every other request was reuse: the family, the winner's new token included, is gone.
            assert.equal(await grantExists(server, grantId), false);
            assert.deepEqual(await liveTokens(server, grantId), []);
            for (const success of successes) {
              await assert.rejects(oidc.refreshTokenGrant(web, success.refresh_token as string), invalidGrant);
            }
            const reasons = await reasonsFor(server, grantId);
            assert.ok(reasons.length >= 1);
            // With the barrier, the losers lost the store's conditional write, not the earlier check.
            if (forced) assert.ok(reasons.includes('concurrent'), `reasons: ${reasons.join(', ')}`);
          });
        }
      } else {
        it('all past the first check: exactly one gets tokens, the rest are refused, nothing is revoked', async () => {
          const { grantId, successes } = await race(server, web, barrier);
          assert.equal(successes.length, 1);
          assert.equal(await grantExists(server, grantId), true);
          assert.deepEqual(await liveTokens(server, grantId), [bearerKey(successes[0]?.refresh_token as string)]);
          assert.deepEqual(await reasonsFor(server, grantId), []);
          const refused = (await auditEvents(server, 'refresh_token.retry_refused')).filter((event) => event.detail?.grantId === grantId);
          assert.equal(refused.length, PARALLEL - 1);
        });

        it('as they arrive: never two live tokens; the last one handed out is the one that works', async () => {
          // Requests that arrive after the first rotation finished are retries within the window:
          // each gets a pair and retires the previous one (README § Refresh tokens).
          const { grantId, successes } = await race(server, web);
          assert.ok(successes.length >= 1, 'the first request always gets tokens');
          assert.equal(await grantExists(server, grantId), true);
          const live = await liveTokens(server, grantId);
          assert.equal(live.length, 1);
          const issued = successes.find((success) => bearerKey(success.refresh_token as string) === live[0]);
          assert.ok(issued);
          const next = await oidc.refreshTokenGrant(web, issued.refresh_token as string);
          assert.deepEqual(await liveTokens(server, grantId), [bearerKey(next.refresh_token as string)]);
          assert.deepEqual(await reasonsFor(server, grantId), []);
        });
      }
    });
  }
}

concurrencySuite('embedded', async () => {
  const dir = await tempDir();
  const store = await createEmbeddedStore(dir.path);
  return {
    store,
    async close() {
      await store.close();
      await dir.cleanup();
    },
  };
});

if (MONGODB_URI) {
  const databases = mongoDatabases(MONGODB_URI);
  concurrencySuite('mongo', async () => {
    const store = await databases.open();
    return { store, close: () => store.close() };
  });
} else {
  mongoSkipped('parallel refreshes');
}
