/**
 * Child process: Portcullis as an operator runs it — NODE_ENV=production, the embedded store in a
 * fresh directory, production argon2id parameters, a bootstrap file of clients, a person and APIs,
 * logs at `info` (written to /dev/null so the table stays readable; pino still does the work), the
 * breach check off (no request leaves the machine).
 * REDIS_URL comes from the parent: empty for Portcullis as shipped, set for the "on Redis" rows.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import argon2 from 'argon2';
import { exportJWK, generateKeyPair } from 'jose';
import { createPortcullis } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import { type PrivateJwk, privateJwks } from '../../src/keys/keystore.ts';
import { createLogger, logDestination } from '../../src/platform/logger.ts';
import { CLIENTS, LOGIN_USERS, RESOURCES, USER } from '../fixtures.ts';
import { sharedCommands } from './commands.ts';
import { hashRate } from './hash-rate.ts';
import { serveCommands } from './ipc.ts';

const dataDir = process.env.DATA_DIR;
if (!dataDir) throw new Error('DATA_DIR must be set by the parent');

const config = loadConfig({
  ...process.env,
  NODE_ENV: 'production',
  HOST: '127.0.0.1',
  ISSUER: `http://127.0.0.1:${process.env.PORT}`,
  COOKIE_KEYS: randomBytes(32).toString('base64url'),
  KEY_ENCRYPTION_KEYS: randomBytes(32).toString('base64url'),
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  // Benchmarks never reach the internet: sign-ins would otherwise look passwords up in the public breach corpus.
  PASSWORD_BREACH_CHECK: 'off',
  // Every simulated browser comes from 127.0.0.1: the per-address budget on /auth (300 a minute, about
  // 100 sign-ins behind one NAT) would refuse the login flow within seconds. Real users have their own addresses.
  LOCKOUT_BROWSER_IP_REQUESTS: '1000000',
});

// Production refuses plaintext passwords in the bootstrap file, so the person arrives hashed.
const argonOptions = { type: argon2.argon2id as 2, ...config.argon2 };
const bootstrapFile = join(dataDir, 'bootstrap.json');
await writeFile(
  bootstrapFile,
  JSON.stringify({
    clients: CLIENTS,
    users: await (async () => {
      const passwordHash = await argon2.hash(USER.password, argonOptions);
      return [
        { username: USER.username, email: 'alice@example.com', name: 'Alice Example', roles: ['user'], password_hash: passwordHash },
        ...LOGIN_USERS.map((username) => ({ username, roles: ['user'], password_hash: passwordHash })),
      ];
    })(),
    resources: RESOURCES,
  }),
);

const logger = createLogger(config.logLevel, logDestination('/dev/null'));
const portcullis = await createPortcullis({ ...config, bootstrapFile }, { logger });
const url = await portcullis.listen(config.port, '127.0.0.1');
const account = await portcullis.accounts.findByUsername(USER.username);
if (!account) throw new Error('bootstrap did not create the benchmark user');

let published: PrivateJwk[] = [];
async function freshKey(alg: 'ES256' | 'RS256'): Promise<PrivateJwk> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: randomBytes(12).toString('base64url'), alg, use: 'sig' };
}

serveCommands(
  url,
  {
    ...sharedCommands({
      provider: () => portcullis.holder.current,
      accountId: account.id,
      sink: { upsert: (model, id, payload, expiresIn) => portcullis.store.model(model).upsert(id, payload, expiresIn) },
    }),
    async hashRate(seconds: number, concurrency: number) {
      return hashRate(argonOptions, USER.password, seconds, concurrency);
    },
    /** A key change as the key lifecycle makes it: fresh current keys first, earlier ones still published. */
    async rotate() {
      if (published.length === 0) {
        published = privateJwks(await portcullis.store.keys.list(), portcullis.sealer);
      }
      const signing = await freshKey('ES256');
      published = [signing, await freshKey('RS256'), ...published];
      portcullis.holder.swap(portcullis.providerFactory(published));
      return { generation: portcullis.holder.generation, kid: signing.kid };
    },
    async describe() {
      return {
        argon2: config.argon2,
        hashConcurrency: config.passwordHashConcurrency,
        logLevel: config.logLevel,
        store: portcullis.store.kind,
        redis: Boolean(config.redisUrl),
      };
    },
  },
  () => portcullis.close(),
);
