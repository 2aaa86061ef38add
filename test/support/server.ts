/**
 * Starts a real Portcullis on 127.0.0.1 with a fresh data directory and a bootstrap file, for
 * tests that talk to it over HTTP like any client would.
 */
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createPortcullis, type Portcullis, type PortcullisOptions } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { tempDir } from './tmp.ts';

export const PASSWORD = 'correct horse battery staple';

export const DEFAULT_BOOTSTRAP = {
  clients: [
    {
      client_id: 'web-app',
      client_secret: 'web-app-secret-that-is-long-enough',
      client_name: 'Web App',
      redirect_uris: ['http://127.0.0.1:9999/callback'],
      post_logout_redirect_uris: ['http://127.0.0.1:9999/logged-out'],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile email offline_access roles',
    },
    {
      client_id: 'first-party',
      client_secret: 'first-party-secret-that-is-long-enough',
      client_name: 'First Party',
      redirect_uris: ['http://127.0.0.1:9999/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile email offline_access roles',
      first_party: true,
    },
    {
      client_id: 'spa',
      client_name: 'Single Page App',
      token_endpoint_auth_method: 'none',
      application_type: 'web',
      redirect_uris: ['http://127.0.0.1:9999/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile offline_access',
    },
    {
      client_id: 'machine',
      client_secret: 'machine-secret-that-is-long-enough',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_post',
    },
    {
      client_id: 'tv',
      client_name: 'Living Room TV',
      token_endpoint_auth_method: 'none',
      application_type: 'native',
      grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
      redirect_uris: [],
      response_types: [],
    },
    {
      client_id: 'resource-server',
      client_secret: 'resource-server-secret-long-enough',
      grant_types: [],
      redirect_uris: [],
      response_types: [],
    },
  ],
  users: [
    { username: 'alice', email: 'alice@example.com', name: 'Alice Example', roles: ['user', 'admin'], password: PASSWORD },
    { username: 'bob', email: 'bob@example.com', name: 'Bob Example', roles: ['user'], password: PASSWORD },
  ],
  resources: [
    { identifier: 'https://api.example.com', scopes: ['read', 'write'], accessTokenFormat: 'jwt', accessTokenTTL: 600 },
    { identifier: 'https://opaque.example.com', scopes: ['read'], accessTokenFormat: 'opaque' },
  ],
};

export interface TestServer {
  url: string;
  portcullis: Portcullis;
  dataDir: string;
  close(): Promise<void>;
  /** Closes this instance and starts a new one on the same port and data directory. */
  restart(): Promise<TestServer>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  bootstrap?: unknown;
  dataDir?: string;
  port?: number;
  options?: PortcullisOptions;
}

/** A loopback port held by a placeholder listener until `release()`: nobody else can take it meanwhile. */
export async function reservePort(): Promise<{ port: number; release(): Promise<void> }> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return { port, release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export async function freePort(): Promise<number> {
  const { port, release } = await reservePort();
  await release();
  return port;
}

// Cheap argon2 parameters keep the suite fast; the production defaults are exercised in unit tests and benchmarks.
const FAST_ARGON2 = { ARGON2_MEMORY_KIB: '8192', ARGON2_TIME_COST: '1' };

export async function startServer(options: TestServerOptions = {}): Promise<TestServer> {
  let cleanup: (() => Promise<void>) | undefined;
  let dataDir = options.dataDir;
  if (!dataDir) {
    const dir = await tempDir();
    dataDir = dir.path;
    cleanup = dir.cleanup;
  }
  // The issuer names the port, so it is chosen first; it stays held while the server is built
  // (seconds), or a parallel test file's socket could take it before the listen.
  const reserved = options.port === undefined ? await reservePort() : undefined;
  const port = options.port ?? (reserved?.port as number);
  let portcullis: Portcullis;
  try {
    const bootstrapPath = join(dataDir, 'bootstrap.json');
    await writeFile(bootstrapPath, JSON.stringify(options.bootstrap ?? DEFAULT_BOOTSTRAP));
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      ISSUER: `http://127.0.0.1:${port}`,
      DATA_DIR: dataDir,
      BOOTSTRAP_FILE: bootstrapPath,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      // Tests never reach the internet: the breach check is off unless a test points it at the loopback fake.
      PASSWORD_BREACH_CHECK: 'off',
      ...FAST_ARGON2,
      ...options.env,
    });
    portcullis = await createPortcullis(config, { logger: createLogger(config.logLevel), ...options.options });
  } catch (error) {
    await reserved?.release();
    await cleanup?.();
    throw error;
  }
  await reserved?.release();
  const url = await portcullis.listen(port, '127.0.0.1');
  const server: TestServer = {
    url,
    portcullis,
    dataDir,
    async close() {
      await portcullis.close();
      await cleanup?.();
    },
    async restart() {
      await portcullis.close();
      const next = await startServer({ ...options, dataDir: dataDir as string, port });
      const nextClose = next.close;
      next.close = async () => {
        await nextClose();
        await cleanup?.();
      };
      return next;
    },
  };
  return server;
}
