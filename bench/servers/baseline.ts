/**
 * Child process: the baseline — bare oidc-provider with Portcullis's protocol features and its
 * own built-in memory adapter, static clients, fresh ES256 + RS256 keys, a trivial findAccount and
 * the smallest login pages. The cost floor of the protocol layer.
 *
 * The built-in adapter is used as shipped (same class, same LRU storage), with one change: its
 * default capacity of 1,000 entries is lifted. At that size it evicts refresh tokens and grants
 * seconds into a load run (an LRU of 1,000 is a development cache, not a store), which would make
 * the refresh scenario fail and the memory scenario measure nothing. Capacity does not change the
 * cost of a get or set. `lib/` is imported directly for this reason only; the package exposes no
 * other way to size the store.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
// @ts-expect-error oidc-provider ships no types for its internals (see the comment above).
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';
// @ts-expect-error as above
import LRU from 'oidc-provider/lib/helpers/lru.js';
import { loadConfig } from '../../src/config/index.ts';
import { baselineConfiguration } from './baseline-config.ts';
import { baselineInteractions } from './baseline-interactions.ts';
import { sharedCommands } from './commands.ts';
import { serveCommands } from './ipc.ts';

interface MemoryStore {
  upsert(id: string, payload: Record<string, unknown>, expiresIn: number): Promise<void>;
}
type MemoryAdapterClass = new (model: string, storage: unknown, clockTolerance: number) => MemoryStore;

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
// Far above anything a run stores (100,000 records + pools + load), so nothing is evicted.
const storage = new (LRU as new (options: { maxSize: number }) => unknown)({ maxSize: 10_000_000 });
const Adapter = MemoryAdapter as MemoryAdapterClass;
const adapters = new Map<string, MemoryStore>();
const adapterFor = (model: string): MemoryStore => {
  let adapter = adapters.get(model);
  if (!adapter) {
    adapter = new Adapter(model, storage, 0);
    adapters.set(model, adapter);
  }
  return adapter;
};

async function signingKey(alg: 'ES256' | 'RS256') {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: randomBytes(12).toString('base64url'), alg, use: 'sig' };
}

// Lifetimes come from the same defaults Portcullis starts with.
const { ttl } = loadConfig({});
const provider = new Provider(
  issuer,
  baselineConfiguration({
    ttl,
    jwks: [await signingKey('ES256'), await signingKey('RS256')],
    cookieKeys: [randomBytes(32).toString('base64url')],
    adapter: adapterFor as never,
  }),
);
provider.use(baselineInteractions(provider) as never);
// Portcullis logs these; the baseline has no logger, and a silent 500 would hide a broken scenario.
provider.on('server_error', (_ctx: unknown, error: Error) => process.stderr.write(`baseline server_error: ${error.stack ?? error.message}\n`));

const server = createServer(provider.callback());
server.keepAliveTimeout = 5000;
await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));

serveCommands(
  `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  sharedCommands({
    provider: () => provider,
    accountId: 'alice',
    sink: { upsert: (model, id, payload, expiresIn) => adapterFor(model).upsert(id, payload, expiresIn) },
  }),
  () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    }),
);
