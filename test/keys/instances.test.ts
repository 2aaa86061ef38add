/**
 * Two instances over one shared store. The embedded backend cannot be opened by two processes,
 * so its two instances share one store object in this process (the shared database); with
 * MONGODB_URI set, the same tests run with two separate MongoDB connections. Key changes travel
 * by a real Redis (redis-server started here) or, without Redis, by the store poll.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import { createAuditBus } from '../../src/audit/bus.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createKeyManager } from '../../src/keys/manager.ts';
import { keyPolicy } from '../../src/keys/policy.ts';
import { createSealer } from '../../src/keys/sealing.ts';
import { localSignal } from '../../src/keys/signal.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createEmbeddedStore } from '../../src/storage/embedded/index.ts';
import type { Store } from '../../src/storage/port.ts';
import { MONGODB_URI, mongoDatabases } from '../support/mongo.ts';
import { REDIS_SKIP, startRedis, type TestRedis } from '../support/redis.ts';
import { discover } from '../support/rp.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { tempDir } from '../support/tmp.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
// Tests pick their backend from the environment directly; src/ reads it only through config.
const MONGO_SKIP = MONGODB_URI ? false : 'MONGODB_URI not set: the two-instance test on MongoDB is skipped';
const SECRETS = { COOKIE_KEYS: randomBytes(32).toString('base64url'), KEY_ENCRYPTION_KEYS: randomBytes(32).toString('base64url') };

interface Backend {
  /** The store each of the two instances uses. */
  stores(): Promise<[Store, Store]>;
  cleanup(): Promise<void>;
}

async function embedded(): Promise<Backend> {
  const dir = await tempDir();
  const store = await createEmbeddedStore(dir.path);
  return {
    stores: async () => [store, store],
    async cleanup() {
      await store.close();
      await dir.cleanup();
    },
  };
}

const databases = MONGODB_URI ? mongoDatabases(MONGODB_URI) : undefined;

/** Two connections to one fresh database: two instances of one deployment. */
async function mongo(): Promise<Backend> {
  if (!databases) throw new Error('MONGODB_URI is not set');
  const dbName = databases.fresh();
  const first = await databases.open(dbName);
  const second = await databases.open(dbName, { indexes: false });
  return {
    stores: async () => [first, second],
    async cleanup() {
      await first.close();
      await second.close();
    },
  };
}

/** Polls until `check` holds; fails with `what` after the deadline (a liveness bound, not a speed test). */
async function eventually(what: string, check: () => Promise<boolean>, deadlineMs = 5000): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > deadlineMs) assert.fail(`${what}: not within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return performance.now() - started;
}

const jwksKids = async (server: TestServer) =>
  ((await (await fetch(`${server.url}/jwks`)).json()) as { keys: Array<{ kid: string }> }).keys.map((key) => key.kid);

async function signingKid(server: TestServer): Promise<string> {
  const machine = await discover(server.url, 'machine', 'machine-secret-that-is-long-enough', oidc.ClientSecretPost('machine-secret-that-is-long-enough'));
  const token = (await oidc.clientCredentialsGrant(machine, { scope: 'read', resource: 'https://api.example.com' })).access_token;
  return decodeProtectedHeader(token).kid as string;
}

/** Two key managers starting at the same moment on an empty store, as two instances would. */
async function firstStart(stores: [Store, Store], env: Record<string, string>): Promise<number> {
  const config = loadConfig(env);
  const managers = stores.map((store, i) =>
    createKeyManager({
      store,
      sealer: createSealer(config.keyEncryptionKeys),
      audit: createAuditBus(() => undefined),
      logger: createLogger('silent'),
      policy: keyPolicy(config, () => 600),
      now: () => new Date(),
      signal: localSignal(),
      instanceId: `starter-${i}`,
      syncIntervalMs: HOUR,
    }),
  );
  await Promise.all(managers.map((manager) => manager.prepare()));
  for (const manager of managers) await manager.close();
  return (await stores[0].keys.list()).length;
}

async function auditCount(servers: TestServer[], type: string): Promise<number> {
  for (const server of servers) await server.portcullis.audit.flush();
  return (await servers[0]?.portcullis.store.audit.list({ type }))?.length ?? 0;
}

function twoInstanceRotation(name: string, open: () => Promise<Backend>, skip: string | false) {
  describe(`two instances on ${name}: one rotates, the other follows through Redis`, { skip: skip || REDIS_SKIP }, () => {
    let redis: TestRedis;
    let backend: Backend;
    let a: TestServer;
    let b: TestServer;
    let firstKeys = 0;
    const clock = { ms: Date.now() };

    before(async () => {
      redis = await startRedis();
      backend = await open();
      const stores = await backend.stores();
      // A poll of one hour: within this test only the Redis signal can carry a change.
      // Daily rotation; the lead is 10 min JWKS cache + 1 h poll: publication at 22 h 50 min.
      const env = { ...SECRETS, REDIS_URL: redis.url, KEY_SYNC_INTERVAL: '1h', KEY_ROTATION_INTERVAL: '1d', JWKS_MAX_AGE: '10m' };
      firstKeys = await firstStart(stores, env);
      const now = () => new Date(clock.ms);
      a = await startServer({ env, options: { store: stores[0], keyClock: now } });
      b = await startServer({ env, options: { store: stores[1], keyClock: now } });
    });
    after(async () => {
      await a?.close();
      await b?.close();
      await backend?.cleanup();
      await redis?.stop();
    });

    it('two instances starting together create one first key per algorithm, not one each', async () => {
      assert.equal(firstKeys, 2);
      assert.equal((await a.portcullis.keys.list()).length, 2);
      assert.deepEqual(await jwksKids(a), await jwksKids(b));
    });

    it('publishes and activates each new key once, and both instances publish and sign alike', async (t) => {
      // Past the publication point; both instances' schedules run at the same moment.
      clock.ms += 23 * HOUR;
      await Promise.all([a.portcullis.keys.sync(), b.portcullis.keys.sync()]);
      assert.equal(await auditCount([a, b], 'key.published'), 2, 'one next key per algorithm');
      const published = await eventually('both JWKS list the next keys', async () => (await jwksKids(a)).length === 4 && (await jwksKids(b)).length === 4);

      // Activation: publication time + lead (1 h 10 min).
      clock.ms += HOUR + 11 * MIN;
      await Promise.all([a.portcullis.keys.sync(), b.portcullis.keys.sync()]);
      assert.equal(await auditCount([a, b], 'key.rotated'), 2, 'one rotation per algorithm');
      const current = (await a.portcullis.keys.list()).find((key) => key.alg === 'ES256' && key.state === 'current')?.kid;
      const activated = await eventually(
        'both instances sign with the new key',
        async () => (await signingKid(a)) === current && (await signingKid(b)) === current,
      );
      assert.deepEqual(await jwksKids(b), await jwksKids(a));
      t.diagnostic(`signal delivery observed within ${Math.round(published)} ms and ${Math.round(activated)} ms`);
    });

    it("an operator revocation on one instance leaves the other instance's JWKS at once", async () => {
      const victim = await signingKid(b);
      const response = await a.portcullis.keys.revoke(victim);
      assert.equal(response.find((key) => key.kid === victim)?.state, 'revoked');
      assert.equal((await jwksKids(a)).includes(victim), false, 'the acting instance');
      await eventually('the other instance drops the revoked key', async () => !(await jwksKids(b)).includes(victim));
      assert.notEqual(await signingKid(b), victim);
    });
  });
}

twoInstanceRotation('the embedded store', embedded, false);
twoInstanceRotation('MongoDB', mongo, MONGO_SKIP);

describe('two instances without Redis: the store poll carries changes', () => {
  let backend: Backend;
  let a: TestServer;
  let b: TestServer;

  before(async () => {
    backend = await embedded();
    const [store] = await backend.stores();
    const env = { ...SECRETS, KEY_SYNC_INTERVAL: '1s' };
    a = await startServer({ env, options: { store } });
    b = await startServer({ env, options: { store } });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await backend?.cleanup();
  });

  it('a rotation on one instance reaches the other within KEY_SYNC_INTERVAL', async () => {
    const before = await signingKid(b);
    const keys = await a.portcullis.keys.rotate({ alg: 'ES256', immediate: true });
    const current = keys.find((key) => key.alg === 'ES256' && key.state === 'current')?.kid;
    assert.notEqual(current, before);
    await eventually('the other instance signs with the new key', async () => (await signingKid(b)) === current);
  });
});
