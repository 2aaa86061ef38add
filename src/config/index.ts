/**
 * The only module that reads the environment. Every option Portcullis understands is declared
 * here, once, with its default; README.md § Configuration lists the same table for operators.
 * Parsing fails fast with a message that names the offending variable.
 */
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
  /** Token and session lifetimes. */
  ACCESS_TOKEN_TTL: duration('10m'),
  ID_TOKEN_TTL: duration('1h'),
  AUTHORIZATION_CODE_TTL: duration('60s'),
  /** Idle (sliding) refresh-token lifetime: each rotation starts a fresh one. */
  REFRESH_TOKEN_TTL: duration('14d'),
  /**
   * Absolute refresh-token family lifetime, counted from the first token of the family: 30d means
   * a person signs in again at least monthly on each device, however busy the application is.
   */
  REFRESH_TOKEN_ABSOLUTE_TTL: duration('30d'),
  /**
   * Seconds during which the client that rotated a refresh token may present the old one again
   * and still get a working pair (its response was lost). 0 = strict: any second use is theft.
   * At most 120: a real retry comes within seconds, and every second here is one a thief also has.
   */
  REFRESH_REUSE_GRACE_SECONDS: integer(0, 0, 120),
  /** Absolute browser-session lifetime at the issuer, counted from sign-in. */
  SESSION_TTL: duration('14d'),
  /** A browser session unused this long ends (7d: a week away means signing in again). */
  SESSION_IDLE_TTL: duration('7d'),
  /** Live browser sessions one person may hold; 0 = no limit. */
  SESSION_LIMIT: integer(0, 0, 1000),
  /** What a sign-in beyond SESSION_LIMIT does: end the person's oldest session, or be refused. */
  SESSION_LIMIT_MODE: z.enum(['end_oldest', 'refuse']).default('end_oldest'),
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
  ttl: {
    accessToken: number;
    idToken: number;
    authorizationCode: number;
    refreshToken: number;
    refreshTokenAbsolute: number;
    session: number;
    sessionIdle: number;
    interaction: number;
  };
  refreshTokens: { reuseGraceSeconds: number };
  sessions: { limit: number; limitMode: Environment['SESSION_LIMIT_MODE'] };
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
    ttl: {
      accessToken: e.ACCESS_TOKEN_TTL,
      idToken: e.ID_TOKEN_TTL,
      authorizationCode: e.AUTHORIZATION_CODE_TTL,
      refreshToken: e.REFRESH_TOKEN_TTL,
      refreshTokenAbsolute: e.REFRESH_TOKEN_ABSOLUTE_TTL,
      session: e.SESSION_TTL,
      sessionIdle: e.SESSION_IDLE_TTL,
      interaction: e.INTERACTION_TTL,
    },
    refreshTokens: { reuseGraceSeconds: e.REFRESH_REUSE_GRACE_SECONDS },
    sessions: { limit: e.SESSION_LIMIT, limitMode: e.SESSION_LIMIT_MODE },
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
