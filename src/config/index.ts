/**
 * The only module that reads the environment. Every option Portcullis understands is declared
 * here, once, with its default; README.md § Configuration lists the same table for operators.
 * Parsing fails fast with a message that names the offending variable.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { parseDuration } from './duration.ts';

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const seconds = parseDuration(value);
      if (seconds === undefined || seconds <= 0) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration such as 90s, 15m, 12h or 30d` });
        return z.NEVER;
      }
      return seconds;
    });

const list = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );

const integer = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const schema = z.object({
  /** `production` turns on the refusal of unsafe settings (see assertProductionSafe). */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** TCP port to listen on. */
  PORT: integer(3000, 0, 65535),
  /** Interface to bind; `0.0.0.0` inside containers. */
  HOST: z.string().default('0.0.0.0'),
  /** The issuer identifier (`iss`); defaults to http://localhost:PORT. */
  ISSUER: z.url().optional(),
  /** Where the embedded store keeps its files. */
  DATA_DIR: z.string().default('./data'),
  /** Selects the MongoDB backend when set. */
  MONGODB_URI: z.string().optional(),
  /** Redis for counters and cross-instance signals; in-process fallback when unset. */
  REDIS_URL: z.string().optional(),
  /** JSON file with clients, users and resources applied at every start. */
  BOOTSTRAP_FILE: z.string().optional(),
  /** Cookie signing keys (comma separated, first signs, all verify; HMAC-SHA256). */
  COOKIE_KEYS: list,
  /** 32-byte base64url keys that encrypt secrets at rest (first encrypts, all decrypt). */
  KEY_ENCRYPTION_KEYS: list,
  /** `false`, `true` (any peer) or a comma list of proxy addresses whose X-Forwarded-* we trust. */
  TRUST_PROXY: z.string().default('false'),
  /** Browser origins allowed to call token, userinfo, introspection, revocation endpoints. */
  CORS_ORIGINS: list,
  /** pino log level. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** argon2id parameters; defaults are OWASP's 2023 minimum (m=19 MiB, t=2, p=1). */
  ARGON2_MEMORY_KIB: integer(19456, 8192, 1048576),
  ARGON2_TIME_COST: integer(2, 1, 20),
  ARGON2_PARALLELISM: integer(1, 1, 16),
  /** Hashes computed at once; default leaves thread-pool workers free (see passwordHashConcurrency). */
  ARGON2_CONCURRENCY: z.coerce.number().int().min(1).max(256).optional(),
  /** Node's libuv thread-pool size, read here only to derive the ARGON2_CONCURRENCY default. */
  UV_THREADPOOL_SIZE: z.coerce.number().int().min(1).max(1024).optional(),
  /** Token and session lifetimes. */
  ACCESS_TOKEN_TTL: duration('10m'),
  ID_TOKEN_TTL: duration('1h'),
  AUTHORIZATION_CODE_TTL: duration('60s'),
  REFRESH_TOKEN_TTL: duration('14d'),
  SESSION_TTL: duration('14d'),
  INTERACTION_TTL: duration('1h'),
  /** Signing-key schedule. */
  KEY_ROTATION_INTERVAL: duration('30d'),
  JWKS_MAX_AGE: duration('10m'),
});

export type Environment = z.infer<typeof schema>;

export interface Config {
  env: Environment['NODE_ENV'];
  production: boolean;
  port: number;
  host: string;
  issuer: string;
  dataDir: string;
  mongodbUri: string | undefined;
  redisUrl: string | undefined;
  bootstrapFile: string | undefined;
  cookieKeys: string[];
  keyEncryptionKeys: string[];
  trustProxy: boolean | string[];
  corsOrigins: string[];
  logLevel: Environment['LOG_LEVEL'];
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  /** argon2id computations at once (accounts/limit.ts). */
  passwordHashConcurrency: number;
  ttl: {
    accessToken: number;
    idToken: number;
    authorizationCode: number;
    refreshToken: number;
    session: number;
    interaction: number;
  };
  keys: { rotationInterval: number; jwksMaxAge: number };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function parseTrustProxy(value: string): boolean | string[] {
  if (value === 'false' || value === '') return false;
  if (value === 'true') return true;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  const config: Config = {
    env: e.NODE_ENV,
    production: e.NODE_ENV === 'production',
    port: e.PORT,
    host: e.HOST,
    issuer: (e.ISSUER ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    dataDir: e.DATA_DIR,
    mongodbUri: e.MONGODB_URI || undefined,
    redisUrl: e.REDIS_URL || undefined,
    bootstrapFile: e.BOOTSTRAP_FILE || undefined,
    cookieKeys: e.COOKIE_KEYS,
    keyEncryptionKeys: e.KEY_ENCRYPTION_KEYS,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    corsOrigins: e.CORS_ORIGINS,
    logLevel: e.LOG_LEVEL,
    argon2: { memoryCost: e.ARGON2_MEMORY_KIB, timeCost: e.ARGON2_TIME_COST, parallelism: e.ARGON2_PARALLELISM },
    // One hash per core (more only queue inside libuv), and always one pool worker (default 4) left
    // for file writes and crypto: 2 on a 2-core box, 3 on larger ones unless UV_THREADPOOL_SIZE grows.
    passwordHashConcurrency: e.ARGON2_CONCURRENCY ?? Math.max(1, Math.min(availableParallelism(), (e.UV_THREADPOOL_SIZE ?? 4) - 1)),
    ttl: {
      accessToken: e.ACCESS_TOKEN_TTL,
      idToken: e.ID_TOKEN_TTL,
      authorizationCode: e.AUTHORIZATION_CODE_TTL,
      refreshToken: e.REFRESH_TOKEN_TTL,
      session: e.SESSION_TTL,
      interaction: e.INTERACTION_TTL,
    },
    keys: { rotationInterval: e.KEY_ROTATION_INTERVAL, jwksMaxAge: e.JWKS_MAX_AGE },
  };
  for (const origin of config.corsOrigins) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
      throw new ConfigError(`CORS_ORIGINS: "${origin}" is not an origin such as https://app.example.com`);
    }
  }
  for (const key of config.keyEncryptionKeys) {
    if (Buffer.from(key, 'base64url').length !== 32) {
      throw new ConfigError('KEY_ENCRYPTION_KEYS: every key must be 32 bytes, base64url encoded');
    }
  }
  if (config.production) assertProductionSafe(config);
  return config;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Settings that are fine on a laptop and dangerous in front of real users. */
function assertProductionSafe(config: Config): void {
  const issuer = new URL(config.issuer);
  if (issuer.protocol !== 'https:' && !LOCAL_HOSTS.has(issuer.hostname)) {
    throw new ConfigError('ISSUER: production issuers must use https');
  }
  if (config.cookieKeys.length === 0) {
    throw new ConfigError('COOKIE_KEYS: required in production (comma separated, at least 32 characters each)');
  }
  if (config.cookieKeys.some((key) => key.length < 32)) {
    throw new ConfigError('COOKIE_KEYS: every key must be at least 32 characters');
  }
  if (config.keyEncryptionKeys.length === 0) {
    throw new ConfigError('KEY_ENCRYPTION_KEYS: required in production');
  }
}
