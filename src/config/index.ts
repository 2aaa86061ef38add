/**
 * The only module that reads the environment. Every option Portcullis understands is declared
 * here, once, with its default; README.md § Configuration lists the same table for operators.
 * Parsing fails fast with a message that names the offending variable.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { type SigningAlg, SUPPORTED_ALGS } from '../keys/algorithms.ts';
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
  /** Signing-key schedule (src/keys/policy.ts derives the publication lead and retention). */
  KEY_ROTATION_INTERVAL: duration('30d'),
  JWKS_MAX_AGE: duration('10m'),
  /** MFA: `always` asks everyone who has a second factor at every sign-in; `when_required` only when asked (see mfa/policy.ts). */
  MFA_POLICY: z.enum(['always', 'when_required']).default('always'),
  /** Roles whose holders must use a second factor (comma separated). */
  MFA_REQUIRED_ROLES: list,
  /** Whether someone who must use MFA but has none may set it up during sign-in. */
  MFA_ENROL_AT_LOGIN: z.enum(['true', 'false']).default('true'),
  /** The name authenticator apps show next to the account; defaults to the issuer's host name. */
  MFA_TOTP_ISSUER: z.string().trim().min(1).max(64).optional(),
  /** Brute-force defence (src/lockout); README.md § Brute-force defence gives the reasoning. */
  LOCKOUT_IP_FAILURES: integer(100, 1, 1_000_000),
  LOCKOUT_IP_WINDOW: duration('1h'),
  LOCKOUT_USER_IP_FREE_FAILURES: integer(3, 0, 1000),
  LOCKOUT_USER_IP_MAX_DELAY: duration('15m'),
  LOCKOUT_USER_FREE_FAILURES: integer(10, 0, 1000),
  LOCKOUT_USER_MAX_DELAY: duration('5m'),
  LOCKOUT_BACKOFF_BASE: duration('1s'),
  LOCKOUT_FAILURE_MEMORY: duration('24h'),
  LOCKOUT_KNOWN_ADDRESS_TTL: duration('30d'),
  LOCKOUT_HARD_LOCK_FAILURES: integer(0, 0, 1_000_000),
  LOCKOUT_CLIENT_FREE_FAILURES: integer(5, 0, 1000),
  LOCKOUT_CLIENT_MAX_DELAY: duration('15m'),
  LOCKOUT_ENDPOINT_IP_FAILURES: integer(50, 1, 1_000_000),
  LOCKOUT_ENDPOINT_IP_WINDOW: duration('15m'),
  LOCKOUT_MFA_FREE_FAILURES: integer(5, 0, 1000),
  LOCKOUT_MFA_MAX_DELAY: duration('15m'),
  LOCKOUT_RESET_REQUESTS: integer(5, 1, 1000),
  LOCKOUT_RESET_WINDOW: duration('1h'),
  /** Enables the operator endpoint used by `portcullis lockout …` (at least 32 characters). */
  LOCKOUT_OPERATOR_TOKEN: z.string().optional(),
  /** Signing algorithms with a key each; ES256 signs by default, RS256 is the OIDC baseline. */
  KEY_ALGORITHMS: list,
  /** How often each instance re-reads the key set: the bound when the Redis signal is missed. */
  KEY_SYNC_INTERVAL: duration('30s'),
  /** Bearer credential of the /operator endpoint the `keys` CLI talks to; unset turns it off. */
  OPERATOR_TOKEN: z.string().optional(),
  /** Where the CLI finds a running server; defaults to http://127.0.0.1:PORT. */
  OPERATOR_URL: z.url().optional(),
  /**
   * Whether the provider's outbound requests (back-channel logout, jwks_uri, sector_identifier_uri)
   * may reach loopback, private and other special-use addresses. Default: true outside production
   * (relying parties on localhost), false in production (no server-side request forgery into the LAN).
   */
  OUTBOUND_ALLOW_PRIVATE_ADDRESSES: z.enum(['true', 'false']).optional(),
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
    refreshTokenAbsolute: number;
    session: number;
    sessionIdle: number;
    interaction: number;
  };
  mfa: { policy: Environment['MFA_POLICY']; requiredRoles: string[]; enrolAtLogin: boolean; totpIssuer: string };
  /** Durations in seconds; see src/lockout/dimensions.ts for how each is used. */
  lockout: {
    ipFailures: number;
    ipWindow: number;
    userIpFreeFailures: number;
    userIpMaxDelay: number;
    userFreeFailures: number;
    userMaxDelay: number;
    backoffBase: number;
    failureMemory: number;
    knownAddressTtl: number;
    hardLockFailures: number;
    clientFreeFailures: number;
    clientMaxDelay: number;
    endpointIpFailures: number;
    endpointIpWindow: number;
    mfaFreeFailures: number;
    mfaMaxDelay: number;
    resetRequests: number;
    resetWindow: number;
    operatorToken: string | undefined;
  };
  keys: { rotationInterval: number; jwksMaxAge: number; algorithms: SigningAlg[]; syncInterval: number };
  operator: { token: string | undefined; url: string };
  refreshTokens: { reuseGraceSeconds: number };
  sessions: { limit: number; limitMode: Environment['SESSION_LIMIT_MODE'] };
  outbound: { allowPrivateAddresses: boolean };
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
      refreshTokenAbsolute: e.REFRESH_TOKEN_ABSOLUTE_TTL,
      session: e.SESSION_TTL,
      sessionIdle: e.SESSION_IDLE_TTL,
      interaction: e.INTERACTION_TTL,
    },
    mfa: {
      policy: e.MFA_POLICY,
      requiredRoles: e.MFA_REQUIRED_ROLES,
      enrolAtLogin: e.MFA_ENROL_AT_LOGIN === 'true',
      totpIssuer: e.MFA_TOTP_ISSUER ?? new URL(e.ISSUER ?? `http://localhost:${e.PORT}`).hostname,
    },
    lockout: {
      ipFailures: e.LOCKOUT_IP_FAILURES,
      ipWindow: e.LOCKOUT_IP_WINDOW,
      userIpFreeFailures: e.LOCKOUT_USER_IP_FREE_FAILURES,
      userIpMaxDelay: e.LOCKOUT_USER_IP_MAX_DELAY,
      userFreeFailures: e.LOCKOUT_USER_FREE_FAILURES,
      userMaxDelay: e.LOCKOUT_USER_MAX_DELAY,
      backoffBase: e.LOCKOUT_BACKOFF_BASE,
      failureMemory: e.LOCKOUT_FAILURE_MEMORY,
      knownAddressTtl: e.LOCKOUT_KNOWN_ADDRESS_TTL,
      hardLockFailures: e.LOCKOUT_HARD_LOCK_FAILURES,
      clientFreeFailures: e.LOCKOUT_CLIENT_FREE_FAILURES,
      clientMaxDelay: e.LOCKOUT_CLIENT_MAX_DELAY,
      endpointIpFailures: e.LOCKOUT_ENDPOINT_IP_FAILURES,
      endpointIpWindow: e.LOCKOUT_ENDPOINT_IP_WINDOW,
      mfaFreeFailures: e.LOCKOUT_MFA_FREE_FAILURES,
      mfaMaxDelay: e.LOCKOUT_MFA_MAX_DELAY,
      resetRequests: e.LOCKOUT_RESET_REQUESTS,
      resetWindow: e.LOCKOUT_RESET_WINDOW,
      operatorToken: e.LOCKOUT_OPERATOR_TOKEN || e.OPERATOR_TOKEN || undefined,
    },
    keys: {
      rotationInterval: e.KEY_ROTATION_INTERVAL,
      jwksMaxAge: e.JWKS_MAX_AGE,
      algorithms: parseAlgorithms(e.KEY_ALGORITHMS),
      syncInterval: e.KEY_SYNC_INTERVAL,
    },
    operator: { token: e.OPERATOR_TOKEN || undefined, url: (e.OPERATOR_URL ?? `http://127.0.0.1:${e.PORT}`).replace(/\/$/, '') },
    refreshTokens: { reuseGraceSeconds: e.REFRESH_REUSE_GRACE_SECONDS },
    sessions: { limit: e.SESSION_LIMIT, limitMode: e.SESSION_LIMIT_MODE },
    outbound: { allowPrivateAddresses: (e.OUTBOUND_ALLOW_PRIVATE_ADDRESSES ?? String(e.NODE_ENV !== 'production')) === 'true' },
  };
  // 32 characters: the same floor as COOKIE_KEYS; the token guards key rotation and revocation.
  if (config.operator.token !== undefined && config.operator.token.length < 32) {
    throw new ConfigError('OPERATOR_TOKEN: must be at least 32 characters');
  }
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
  assertLockoutSane(config.lockout);
  if (config.production) assertProductionSafe(config);
  return config;
}

function assertLockoutSane(lockout: Config['lockout']): void {
  for (const [name, cap] of [
    ['LOCKOUT_USER_IP_MAX_DELAY', lockout.userIpMaxDelay],
    ['LOCKOUT_USER_MAX_DELAY', lockout.userMaxDelay],
    ['LOCKOUT_CLIENT_MAX_DELAY', lockout.clientMaxDelay],
    ['LOCKOUT_MFA_MAX_DELAY', lockout.mfaMaxDelay],
  ] as const) {
    if (cap < lockout.backoffBase) throw new ConfigError(`${name}: must not be shorter than LOCKOUT_BACKOFF_BASE`);
  }
  if (lockout.operatorToken !== undefined && lockout.operatorToken.length < 32) {
    throw new ConfigError('LOCKOUT_OPERATOR_TOKEN: must be at least 32 characters (e.g. openssl rand -base64 32)');
  }
}

/**
 * ES256 signs by default (configuration.ts clientDefaults) and RS256 is what OpenID Connect
 * requires a provider to support, so both are always present; PS256 and EdDSA can be added.
 */
function parseAlgorithms(listed: string[]): SigningAlg[] {
  for (const alg of listed) {
    if (!(SUPPORTED_ALGS as readonly string[]).includes(alg)) {
      throw new ConfigError(`KEY_ALGORITHMS: "${alg}" is not one of ${SUPPORTED_ALGS.join(', ')}`);
    }
  }
  const algs = new Set<SigningAlg>(['ES256', 'RS256', ...(listed as SigningAlg[])]);
  return [...algs];
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
