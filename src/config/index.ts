/**
 * The only module that reads the environment. schema.ts declares every variable once (parser,
 * rules, default, documentation); this module turns the parsed values into the `Config` the
 * rest of the code receives, whose type is derived from that mapping. Parsing fails fast with
 * a message naming each offending variable.
 */
import { availableParallelism } from 'node:os';
import type { SigningAlg } from './algorithms.ts';
import { effectiveRpId } from './rp-id.ts';
import { type Environment, environment } from './schema.ts';

export type { Environment } from './schema.ts';

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

/** ES256 signs by default and RS256 is what OpenID Connect requires, so both are always present. */
const algorithms = (listed: string[]): SigningAlg[] => [...new Set<SigningAlg>(['ES256', 'RS256', ...(listed as SigningAlg[])])];

function toConfig(e: Environment) {
  const issuer = (e.ISSUER ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
  return {
    env: e.NODE_ENV,
    production: e.NODE_ENV === 'production',
    port: e.PORT,
    host: e.HOST,
    issuer,
    dataDir: e.DATA_DIR,
    /** Seconds between rewrites of the embedded store's files. */
    embeddedCompactionInterval: e.EMBEDDED_COMPACTION_INTERVAL,
    mongodbUri: e.MONGODB_URI || undefined,
    redisUrl: e.REDIS_URL || undefined,
    bootstrapFile: e.BOOTSTRAP_FILE || undefined,
    cookieKeys: e.COOKIE_KEYS,
    keyEncryptionKeys: e.KEY_ENCRYPTION_KEYS,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    corsOrigins: e.CORS_ORIGINS,
    logLevel: e.LOG_LEVEL,
    argon2: { memoryCost: e.ARGON2_MEMORY_KIB, timeCost: e.ARGON2_TIME_COST, parallelism: e.ARGON2_PARALLELISM },
    /**
     * argon2id computations at once (accounts/limit.ts). One hash per core (more only queue inside
     * libuv), and always one pool worker (default 4) left for file writes and crypto: 2 on a 2-core
     * box, 3 on larger ones unless UV_THREADPOOL_SIZE grows.
     */
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
      /** AUDIT_RETENTION: stored audit records are deleted after this. */
      auditRetention: e.AUDIT_RETENTION,
    },
    mfa: {
      policy: e.MFA_POLICY,
      requiredRoles: e.MFA_REQUIRED_ROLES,
      enrolAtLogin: e.MFA_ENROL_AT_LOGIN === 'true',
      totpIssuer: e.MFA_TOTP_ISSUER ?? new URL(issuer).hostname,
    },
    /**
     * Passkeys (mfa/passkeys/): the RP id (undefined = off: an IP-address issuer without
     * WEBAUTHN_RP_ID), the name browsers show, and the one origin ceremonies must come from.
     */
    webauthn: { rpId: effectiveRpId(e.WEBAUTHN_RP_ID, new URL(issuer).hostname), rpName: e.WEBAUTHN_RP_NAME, origin: new URL(issuer).origin },
    /** Durations in seconds; src/lockout/dimensions.ts says how each is used. */
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
      clientTotalFailures: e.LOCKOUT_CLIENT_TOTAL_FAILURES,
      clientTotalWindow: e.LOCKOUT_CLIENT_TOTAL_WINDOW,
      browserIpRequests: e.LOCKOUT_BROWSER_IP_REQUESTS,
      browserIpWindow: e.LOCKOUT_BROWSER_IP_WINDOW,
      mfaFreeFailures: e.LOCKOUT_MFA_FREE_FAILURES,
      mfaBackoffBase: e.LOCKOUT_MFA_BACKOFF_BASE,
      mfaMaxDelay: e.LOCKOUT_MFA_MAX_DELAY,
      resetRequests: e.LOCKOUT_RESET_REQUESTS,
      resetWindow: e.LOCKOUT_RESET_WINDOW,
      resetIpRequests: e.LOCKOUT_RESET_IP_REQUESTS,
      resetIpWindow: e.LOCKOUT_RESET_IP_WINDOW,
      signupRequests: e.LOCKOUT_SIGNUP_REQUESTS,
      signupWindow: e.LOCKOUT_SIGNUP_WINDOW,
      signupIpRequests: e.LOCKOUT_SIGNUP_IP_REQUESTS,
      signupIpWindow: e.LOCKOUT_SIGNUP_IP_WINDOW,
    },
    keys: {
      rotationInterval: e.KEY_ROTATION_INTERVAL,
      jwksMaxAge: e.JWKS_MAX_AGE,
      algorithms: algorithms(e.KEY_ALGORITHMS),
      syncInterval: e.KEY_SYNC_INTERVAL,
    },
    admin: {
      tokenTtl: e.ADMIN_TOKEN_TTL,
      maxAuthAge: e.ADMIN_MAX_AUTH_AGE,
      requireMfa: e.ADMIN_REQUIRE_MFA === 'true',
      allowedAddresses: e.ADMIN_ALLOWED_ADDRESSES,
    },
    operator: { token: e.OPERATOR_TOKEN || undefined, url: (e.OPERATOR_URL ?? `http://127.0.0.1:${e.PORT}`).replace(/\/$/, '') },
    /** The Prometheus listener (src/metrics): off without METRICS_PORT, loopback unless METRICS_TOKEN guards it. */
    metrics: { port: e.METRICS_PORT, host: e.METRICS_HOST, token: e.METRICS_TOKEN || undefined },
    /** SMTP_URL unset: .eml files under DATA_DIR/outbox/ outside production, a log line in production (src/mail). */
    mail: { smtpUrl: e.SMTP_URL || undefined, from: e.MAIL_FROM || `Portcullis <no-reply@${new URL(issuer).hostname}>` },
    /** The password lifecycle (src/passwords): policy, breach checking, reset, registration. */
    passwords: {
      minLength: e.PASSWORD_MIN_LENGTH,
      maxLength: e.PASSWORD_MAX_LENGTH,
      require: e.PASSWORD_REQUIRE as Array<'upper' | 'lower' | 'digit' | 'symbol'>,
      minStrength: e.PASSWORD_MIN_STRENGTH,
      history: e.PASSWORD_HISTORY,
      breach: { check: e.PASSWORD_BREACH_CHECK === 'on', api: e.PASSWORD_BREACH_API, failure: e.PASSWORD_BREACH_FAILURE },
      reset: {
        /** Unset, reset is on where mail can go out (SMTP_URL) and everywhere outside production. */
        mode: e.PASSWORD_RESET ?? (e.SMTP_URL || e.NODE_ENV !== 'production' ? 'email' : 'off'),
        /** True when `off` was chosen for the operator (production without SMTP_URL): start-up warns. */
        defaultedOff: e.PASSWORD_RESET === undefined && !e.SMTP_URL && e.NODE_ENV === 'production',
        ttl: e.PASSWORD_RESET_TTL,
      },
    },
    registration: { open: e.REGISTRATION === 'open' },
    refreshTokens: { reuseGraceSeconds: e.REFRESH_REUSE_GRACE_SECONDS },
    sessions: { limit: e.SESSION_LIMIT, limitMode: e.SESSION_LIMIT_MODE },
    /** ACCOUNT_REAUTH_MAX_AGE, seconds: sensitive changes at /account need a sign-in at most this old (console/step-up.ts). */
    account: { reauthMaxAge: e.ACCOUNT_REAUTH_MAX_AGE },
    outbound: { allowPrivateAddresses: (e.OUTBOUND_ALLOW_PRIVATE_ADDRESSES ?? String(e.NODE_ENV !== 'production')) === 'true' },
  };
}

export type Config = ReturnType<typeof toConfig>;

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environment.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration\n  ${problems.join('\n  ')}`);
  }
  return toConfig(parsed.data);
}
