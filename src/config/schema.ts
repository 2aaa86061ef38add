/**
 * Every environment variable Portcullis understands, declared once: its parser (with every rule
 * it must satisfy), its default, and the sentence docs/configuration.md shows for it. The docs
 * page is generated from this table (`npm run docs:config`; a test fails when it is stale), and
 * the `Config` type is derived from what index.ts maps these values to.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { SUPPORTED_ALGS } from './algorithms.ts';
import { parseDuration } from './duration.ts';
import { rpIdProblem } from './rp-id.ts';

export interface Variable<T extends z.ZodType = z.ZodType> {
  type: T;
  /** The default as an operator reads it ("—" when unset means off). */
  shown: string;
  doc: string;
}

const variable = <T extends z.ZodType>(type: T, shown: string, doc: string): Variable<T> => ({ type, shown, doc });

const seconds = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const parsed = parseDuration(value);
      if (parsed === undefined || parsed <= 0) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration such as 90s, 15m, 12h or 30d` });
        return z.NEVER;
      }
      return parsed;
    });

const items = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );

const duration = (fallback: string, doc: string) => variable(seconds(fallback), `\`${fallback}\``, doc);
const integer = (fallback: number, min: number, max: number, doc: string, shown = `\`${fallback}\``) =>
  variable(z.coerce.number().int().min(min).max(max).default(fallback), shown, doc);
const optional = (doc: string, type: z.ZodType<string> = z.string()) => variable(type.optional(), '—', doc);
const list = (doc: string, shown = '—') => variable(items, shown, doc);
const choice = <const V extends readonly [string, ...string[]]>(values: V, fallback: V[number], doc: string) =>
  variable(z.enum(values).default(fallback as never), `\`${fallback}\``, doc);

/** 32 characters: the floor for every shared secret a person types or pastes (cookie keys, operator token). */
const SECRET_MIN = 32;

const isOrigin = (value: string) => URL.canParse(value) && new URL(value).origin === value;
const is32Bytes = (value: string) => Buffer.from(value, 'base64url').length === 32;

export const VARIABLES = {
  NODE_ENV: choice(
    ['development', 'production', 'test'],
    'development',
    '`production` refuses unsafe settings: a non-https issuer that is not localhost, an https issuer without `TRUST_PROXY`, missing `COOKIE_KEYS` (each ≥ 32 characters) or `KEY_ENCRYPTION_KEYS`, plaintext passwords in the bootstrap file',
  ),
  PORT: integer(3000, 0, 65535, 'TCP port'),
  HOST: variable(z.string().default('0.0.0.0'), '`0.0.0.0`', 'interface to bind'),
  ISSUER: variable(z.url().optional(), '`http://localhost:$PORT`', 'issuer identifier (`iss`)'),
  DATA_DIR: variable(z.string().default('./data'), '`./data`', 'embedded store files (and development secrets)'),
  EMBEDDED_COMPACTION_INTERVAL: duration(
    '10m',
    'how often the embedded store rewrites its append-only files; a failed rewrite is logged and makes `/readyz` unready until one succeeds',
  ),
  MONGODB_URI: optional('use the MongoDB backend (see [production.md](production.md))'),
  REDIS_URL: optional('Redis for counters and cross-instance signals; in-process fallback when unset'),
  BOOTSTRAP_FILE: optional('JSON file of clients, users and resource servers applied at every start ([operations.md](operations.md#the-bootstrap-file))'),
  COOKIE_KEYS: variable(items, 'generated in development', 'comma-separated cookie signing keys; the first signs, all verify (HMAC-SHA256)'),
  KEY_ENCRYPTION_KEYS: variable(
    items.refine((keys) => keys.every(is32Bytes), 'every key must be 32 bytes, base64url encoded'),
    'generated in development',
    'comma-separated 32-byte base64url keys sealing secrets at rest (AES-256-GCM); the first seals, all open',
  ),
  TRUST_PROXY: variable(
    z.string().default('false'),
    '`false`',
    '`true` = exactly one proxy in front (the client is the rightmost `X-Forwarded-For` entry), or a comma list of proxy IPs/CIDRs (the client is the rightmost entry not listed; the safer choice); `X-Forwarded-*` from any other peer is deleted. Required in production with an https `ISSUER`',
  ),
  CORS_ORIGINS: list('browser origins allowed to call token, userinfo, introspection, revocation, PAR and device endpoints'),
  LOG_LEVEL: choice(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info', 'pino level (`silent` … `trace`)'),
  ARGON2_MEMORY_KIB: integer(19456, 8192, 1048576, 'argon2id memory (KiB); the defaults are OWASP’s 2023 minimum (m=19 MiB, t=2, p=1)'),
  ARGON2_TIME_COST: integer(2, 1, 20, 'argon2id iterations'),
  ARGON2_PARALLELISM: integer(1, 1, 16, 'argon2id lanes'),
  ARGON2_CONCURRENCY: variable(
    z.coerce.number().int().min(1).max(256).optional(),
    'cores, at most `UV_THREADPOOL_SIZE` − 1 (2 on a 2-core box, 3 above)',
    'argon2id hashes computed at once; more logins wait their turn. argon2 runs on Node’s thread pool (4 workers unless `UV_THREADPOOL_SIZE` says otherwise), where async file operations and WebCrypto (token signatures) run too: left unbounded, 8 logins at once made a one-line async file append wait 1.4 s. On a big machine raise `UV_THREADPOOL_SIZE` to use more cores',
  ),
  UV_THREADPOOL_SIZE: variable(
    z.coerce.number().int().min(1).max(1024).optional(),
    '`4` (Node’s own)',
    'Node’s libuv thread-pool size; read here only to derive the `ARGON2_CONCURRENCY` default',
  ),
  ACCESS_TOKEN_TTL: duration('10m', 'access tokens (a resource server may declare its own)'),
  ID_TOKEN_TTL: duration('1h', 'ID tokens'),
  AUTHORIZATION_CODE_TTL: duration('60s', 'authorization codes'),
  REFRESH_TOKEN_TTL: duration('14d', 'idle refresh-token lifetime; every rotation starts a new one, so it slides with use'),
  REFRESH_TOKEN_ABSOLUTE_TTL: duration(
    '30d',
    'absolute lifetime of a refresh-token family, from its first token: a person signs in again at least monthly on each device',
  ),
  REFRESH_REUSE_GRACE_SECONDS: integer(
    0,
    0,
    120,
    'grace window for a client retrying its just-rotated refresh token (0–120; a real retry comes within seconds, and every second here is one a thief also has); 0 is strict, see [Refresh tokens](integration.md#refresh-tokens)',
  ),
  SESSION_TTL: duration('14d', 'absolute lifetime of a browser session at the issuer'),
  SESSION_IDLE_TTL: duration('7d', 'a browser session unused this long ends; each use starts it again'),
  SESSION_LIMIT: integer(0, 0, 1000, 'live browser sessions one person may hold; 0 = no limit'),
  SESSION_LIMIT_MODE: choice(
    ['end_oldest', 'refuse'],
    'end_oldest',
    'a sign-in beyond the limit ends the person’s oldest session (`end_oldest`) or is refused (`refuse`)',
  ),
  ACCOUNT_REAUTH_MAX_AGE: variable(
    // At least 30 s: a shorter window could run out during the very sign-in it asks for, and loop.
    seconds('5m').refine((value) => value >= 30, 'at least 30s'),
    '`5m`',
    'changing email, password or second factors, or signing out everywhere, at `/account` asks for the password (and the second factor when enrolled) again when the sign-in is older than this',
  ),
  INTERACTION_TTL: duration('1h', 'a sign-in attempt'),
  AUDIT_RETENTION: duration('90d', 'stored audit records are deleted this long after they were written (a quarter: long enough to look into an incident)'),
  KEY_ROTATION_INTERVAL: duration('30d', 'how long a signing key signs before the next one takes over (short values such as `90s` work)'),
  JWKS_MAX_AGE: duration('10m', '`Cache-Control: max-age` of `/jwks`; new keys are published at least this long (plus `KEY_SYNC_INTERVAL`) before they sign'),
  KEY_ALGORITHMS: list(`signing algorithms with a key each; ES256 and RS256 are always present, \`PS256\` and \`EdDSA\` can be added`, '`ES256,RS256`'),
  KEY_SYNC_INTERVAL: duration(
    '30s',
    'how often every instance re-reads the key set: the longest a key change takes to reach an instance when the Redis signal is lost',
  ),
  ADMIN_TOKEN_TTL: duration('5m', 'lifetime of access tokens for the admin API (`<ISSUER>/admin/v1`)'),
  ADMIN_MAX_AUTH_AGE: duration('12h', 'a person’s admin token is refused when their sign-in (`auth_time`) is older than this'),
  ADMIN_REQUIRE_MFA: choice(
    ['true', 'false'],
    'true',
    'a person’s admin token needs a second factor at sign-in; without one the answer is `unmet_authentication_requirements`',
  ),
  ADMIN_ALLOWED_ADDRESSES: list('CIDR ranges (or single addresses) allowed to call `/admin/v1`; unset, any address may (the token still decides)'),
  OPERATOR_TOKEN: optional(
    `break-glass bearer token (≥ ${SECRET_MIN} characters) with every admin scope, for the CLI and first run; outside production a missing one is generated into \`DATA_DIR/dev-secrets.json\``,
    // Empty is unset (compose files pass empty variables through).
    z.string().refine((token) => token === '' || token.length >= SECRET_MIN, `must be at least ${SECRET_MIN} characters (e.g. openssl rand -base64 32)`),
  ),
  METRICS_PORT: variable(
    // Empty is unset (compose files pass empty variables through), not port 0.
    z.preprocess((value) => (value === '' ? undefined : value), z.coerce.number().int().min(1).max(65535).optional()),
    '—',
    'port of the separate Prometheus listener serving only `GET /metrics` (never on `PORT`); unset, there is none',
  ),
  METRICS_HOST: variable(
    z.string().min(1).default('127.0.0.1'),
    '`127.0.0.1`',
    'interface the metrics listener binds; anything but loopback needs `METRICS_TOKEN`',
  ),
  METRICS_TOKEN: optional(
    `bearer token (≥ ${SECRET_MIN} characters) a scraper must send to \`/metrics\`; required when \`METRICS_HOST\` is not loopback`,
    z.string().refine((token) => token === '' || token.length >= SECRET_MIN, `must be at least ${SECRET_MIN} characters (e.g. openssl rand -base64 32)`),
  ),
  SMTP_URL: optional(
    'where mail is sent (through the outbox in the store, retried for about 2 h): `smtp://user:pass@host:587` (STARTTLS when the server offers it) or `smtps://user:pass@host:465` (TLS from the first byte); unset outside production, each message is written as an `.eml` file under `DATA_DIR/outbox/` and its link logged; unset in production, messages are logged (recipient and subject only) and not sent, and start-up warns',
    z
      .string()
      .refine((value) => value === '' || (URL.canParse(value) && ['smtp:', 'smtps:'].includes(new URL(value).protocol)), 'must be an smtp:// or smtps:// URL'),
  ),
  MAIL_FROM: optional(
    'the From of every message Portcullis sends; default `Portcullis <no-reply@<issuer host>>`',
    z
      .string()
      .max(320)
      .refine((value) => !/[\r\n]/.test(value), 'must be one line'),
  ),
  PASSWORD_MIN_LENGTH: integer(
    15,
    8,
    1024,
    'fewest characters (Unicode code points after NFKC) a new password may have; 15 is NIST SP 800-63B rev 4 for a password that may be the only factor',
  ),
  PASSWORD_MAX_LENGTH: integer(128, 64, 4096, 'most characters a new password may have (never truncated)'),
  PASSWORD_REQUIRE: variable(
    items.refine(
      (classes) => classes.every((name) => ['upper', 'lower', 'digit', 'symbol'].includes(name)),
      'a comma-separated subset of upper, lower, digit, symbol',
    ),
    '— (none)',
    'composition rules, any subset of `upper,lower,digit,symbol`: for deployments whose rules demand them; NIST SP 800-63B advises against them',
  ),
  PASSWORD_MIN_STRENGTH: integer(3, 0, 4, 'the zxcvbn score (0–4) a new password must reach, judged with the person’s username, email and name as known words'),
  PASSWORD_HISTORY: integer(5, 0, 24, 'a new password may not be one of this many previous ones (`0`: no history is kept)'),
  PASSWORD_BREACH_CHECK: choice(
    ['on', 'off'],
    'on',
    'look new passwords, and once a day each person’s password at sign-in, up in the breach corpus (k-anonymity: five hex characters of the SHA-1 leave the server)',
  ),
  PASSWORD_BREACH_API: variable(
    z.url().default('https://api.pwnedpasswords.com/range/'),
    '`https://api.pwnedpasswords.com/range/`',
    'the range API asked (the five characters are appended); point it at a mirror',
  ),
  PASSWORD_BREACH_FAILURE: choice(
    ['open', 'closed'],
    'open',
    'when the range API cannot answer within 1.5 s: `open` accepts the password (logged each time), `closed` refuses it (`breach_check_unavailable`); at sign-in it is always open',
  ),
  PASSWORD_RESET: variable(
    z.enum(['email', 'off']).optional(),
    '`email` with `SMTP_URL` or outside production, else `off`',
    '`email`: “Forgot your password?” sends a single-use link to the person’s verified address; production refuses `email` without `SMTP_URL`',
  ),
  PASSWORD_RESET_TTL: duration('30m', 'how long a reset link (and an invitation) works'),
  REGISTRATION: choice(
    ['closed', 'open'],
    'closed',
    '`open`: anyone may sign up at `/signup` (email verified by a link before the account exists); production refuses `open` without `SMTP_URL`',
  ),
  OPERATOR_URL: variable(z.url().optional(), '`http://127.0.0.1:$PORT`', 'where the CLI finds the running server'),
  OUTBOUND_ALLOW_PRIVATE_ADDRESSES: variable(
    z.enum(['true', 'false']).optional(),
    '`true` outside production, `false` in production',
    'whether the provider’s outbound requests (back-channel logout, `jwks_uri`, `sector_identifier_uri`) may reach loopback, private and other special-use addresses: on for relying parties on localhost in development, off in production (no server-side request forgery into the LAN); when off, start-up names each client URI that would be refused',
  ),
  MFA_POLICY: choice(
    ['always', 'when_required'],
    'always',
    '`always`: everyone who has a second factor uses it at every sign-in; `when_required`: only when a client, a role or `max_age` asks (see [Two-step verification](accounts.md#two-step-verification-mfa))',
  ),
  MFA_REQUIRED_ROLES: list('comma-separated roles whose holders must use a second factor'),
  MFA_ENROL_AT_LOGIN: choice(
    ['true', 'false'],
    'true',
    '`false`: someone who must use MFA but has none is refused (`unmet_authentication_requirements`) instead of being led through set-up',
  ),
  MFA_TOTP_ISSUER: variable(z.string().trim().min(1).max(64).optional(), 'the issuer’s host name', 'the name authenticator apps show next to the account'),
  WEBAUTHN_RP_ID: optional(
    'the WebAuthn relying-party id passkeys are bound to: the issuer’s host (the default) or a parent domain of it, never an IP address or a bare public suffix; unset with an IP-address issuer, passkeys are off (see [passkeys.md](passkeys.md))',
    z.string().trim().toLowerCase().min(1).max(253),
  ),
  WEBAUTHN_RP_NAME: variable(
    z.string().trim().min(1).max(64).default('Portcullis'),
    '`Portcullis`',
    'the name a browser shows when it asks to create or use a passkey',
  ),
  LOCKOUT_IP_FAILURES: integer(
    100,
    1,
    1_000_000,
    'failed sign-ins one address may make (all usernames) per `LOCKOUT_IP_WINDOW` — see [Brute-force defence](security.md#brute-force-defence)',
  ),
  LOCKOUT_IP_WINDOW: duration('1h', 'window of that budget'),
  LOCKOUT_USER_IP_FREE_FAILURES: integer(3, 0, 1000, 'consecutive failures for one username from one address before the back-off starts'),
  LOCKOUT_USER_IP_MAX_DELAY: duration('15m', 'cap of that back-off'),
  LOCKOUT_USER_FREE_FAILURES: integer(10, 0, 1000, 'failures for one username from all addresses before its own back-off starts'),
  LOCKOUT_USER_MAX_DELAY: duration('5m', 'cap of that back-off'),
  LOCKOUT_BACKOFF_BASE: duration('1s', 'first wait of every back-off; each further failure doubles it'),
  LOCKOUT_FAILURE_MEMORY: duration('24h', 'consecutive failures are forgotten this long after the first one'),
  LOCKOUT_KNOWN_ADDRESS_TTL: duration('30d', 'a successful sign-in exempts its address from the username-wide back-off this long'),
  LOCKOUT_HARD_LOCK_FAILURES: integer(0, 0, 1_000_000, 'failures for one username that hard-lock it (423) until an operator unlocks it', '`0` (off)'),
  LOCKOUT_CLIENT_FREE_FAILURES: integer(
    5,
    0,
    1000,
    'failed client authentications at token, introspection, revocation from one address before that client backs off there (clients without a secret are never counted)',
  ),
  LOCKOUT_CLIENT_MAX_DELAY: duration('15m', 'cap of that back-off'),
  LOCKOUT_ENDPOINT_IP_FAILURES: integer(50, 1, 1_000_000, 'failing (4xx) token, introspection and revocation requests one address may make per window'),
  LOCKOUT_ENDPOINT_IP_WINDOW: duration('15m', 'window of that budget'),
  LOCKOUT_CLIENT_TOTAL_FAILURES: integer(
    1000,
    1,
    1_000_000,
    'failed authentications of one confidential client from all addresses together per window: a ceiling far above what `LOCKOUT_CLIENT_FREE_FAILURES` lets a few addresses spend; past it only addresses the client authenticated from of late are served',
  ),
  LOCKOUT_CLIENT_TOTAL_WINDOW: duration('1h', 'window of that ceiling'),
  LOCKOUT_BROWSER_IP_REQUESTS: integer(
    300,
    1,
    1_000_000,
    'requests from one address (IPv6: one /64) to `/auth`, `/device` and `/session/end` together per window, whatever their outcome: 300 a minute is about 100 complete sign-ins a minute behind one NAT',
  ),
  LOCKOUT_BROWSER_IP_WINDOW: duration('1m', 'window of that budget; a refused address waits at most this long'),
  LOCKOUT_MFA_FREE_FAILURES: integer(5, 0, 1000, 'wrong MFA codes per person (all MFA pages, every instance) before the back-off starts'),
  LOCKOUT_MFA_BACKOFF_BASE: duration(
    '30s',
    'first wait of the MFA back-off (not `LOCKOUT_BACKOFF_BASE`: six digits are far easier to guess than a password); each further wrong code doubles it',
  ),
  LOCKOUT_MFA_MAX_DELAY: duration('1h', 'cap of that back-off: at most 24 guesses a day once reached'),
  LOCKOUT_RESET_REQUESTS: integer(5, 1, 1000, 'password-reset requests per person per window (for the reset pages)'),
  LOCKOUT_RESET_WINDOW: duration('1h', 'window of that budget'),
  LOCKOUT_RESET_IP_REQUESTS: integer(20, 1, 1_000_000, 'password-reset requests one address may make per window; past it `/password/forgot` answers 429'),
  LOCKOUT_RESET_IP_WINDOW: duration('1h', 'window of that budget'),
  LOCKOUT_SIGNUP_REQUESTS: integer(3, 1, 1000, 'sign-ups (and “already registered” notices) per email address per window; past it the same answer, no mail'),
  LOCKOUT_SIGNUP_WINDOW: duration('24h', 'window of that budget'),
  LOCKOUT_SIGNUP_IP_REQUESTS: integer(20, 1, 1_000_000, 'sign-ups one address may make per window; past it `/signup` answers 429'),
  LOCKOUT_SIGNUP_IP_WINDOW: duration('1h', 'window of that budget'),
  LOCKOUT_OPERATOR_TOKEN: variable(
    z
      .undefined({ error: 'removed: OPERATOR_TOKEN now guards every operator route under /admin/v1 (keys and lockout); unset LOCKOUT_OPERATOR_TOKEN' })
      .optional(),
    '—',
    'removed: `OPERATOR_TOKEN` guards every operator route; set, start-up fails naming it',
  ),
} satisfies Record<string, Variable>;

type Shape = { [K in keyof typeof VARIABLES]: (typeof VARIABLES)[K]['type'] };

const shape = Object.fromEntries(Object.entries(VARIABLES).map(([name, entry]) => [name, entry.type])) as Shape;

function isAddressOrRange(entry: string): boolean {
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** 127.0.0.0/8, ::1 and localhost: the host's own interfaces, unreachable from elsewhere. */
function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/** Rules that involve several variables, each reported under the variable to change. */
export const environment = z.object(shape).superRefine((e, ctx) => {
  const fail = (name: keyof typeof VARIABLES, message: string) => ctx.addIssue({ code: 'custom', path: [name], message });
  for (const origin of e.CORS_ORIGINS) {
    if (!isOrigin(origin)) fail('CORS_ORIGINS', `"${origin}" is not an origin such as https://app.example.com`);
  }
  for (const alg of e.KEY_ALGORITHMS) {
    if (!(SUPPORTED_ALGS as readonly string[]).includes(alg)) fail('KEY_ALGORITHMS', `"${alg}" is not one of ${SUPPORTED_ALGS.join(', ')}`);
  }
  for (const name of ['LOCKOUT_USER_IP_MAX_DELAY', 'LOCKOUT_USER_MAX_DELAY', 'LOCKOUT_CLIENT_MAX_DELAY'] as const) {
    if (e[name] < e.LOCKOUT_BACKOFF_BASE) fail(name, 'must not be shorter than LOCKOUT_BACKOFF_BASE');
  }
  for (const entry of e.ADMIN_ALLOWED_ADDRESSES) {
    if (!isAddressOrRange(entry)) fail('ADMIN_ALLOWED_ADDRESSES', `"${entry}" is not an IP address or CIDR range`);
  }
  if (e.LOCKOUT_MFA_MAX_DELAY < e.LOCKOUT_MFA_BACKOFF_BASE) fail('LOCKOUT_MFA_MAX_DELAY', 'must not be shorter than LOCKOUT_MFA_BACKOFF_BASE');
  if (e.PASSWORD_MAX_LENGTH < e.PASSWORD_MIN_LENGTH) fail('PASSWORD_MAX_LENGTH', 'must not be smaller than PASSWORD_MIN_LENGTH');
  // Metrics name clients, keys and failure rates: off loopback only behind a bearer token.
  if (e.METRICS_PORT !== undefined && !e.METRICS_TOKEN && !isLoopback(e.METRICS_HOST)) {
    fail('METRICS_TOKEN', `required when METRICS_HOST (${e.METRICS_HOST}) is not a loopback address: /metrics must not be open to the network`);
  }
  // Passkeys are bound to the RP id for good: a wrong one would strand every passkey made under it.
  const rpProblem = e.WEBAUTHN_RP_ID === undefined ? undefined : rpIdProblem(e.WEBAUTHN_RP_ID, new URL(e.ISSUER ?? `http://localhost:${e.PORT}`).hostname);
  if (rpProblem) fail('WEBAUTHN_RP_ID', rpProblem);
  if (e.NODE_ENV !== 'production') return;
  // Settings that are fine on a laptop and dangerous in front of real users.
  const issuer = new URL(e.ISSUER ?? `http://localhost:${e.PORT}`);
  if (issuer.protocol !== 'https:' && !LOCAL_HOSTS.has(issuer.hostname)) fail('ISSUER', 'production issuers must use https');
  // Portcullis speaks plain http: an https issuer sits behind a TLS-terminating proxy, and only a
  // trusted proxy's X-Forwarded-Proto tells an https request from a plain one (security/https-only.ts).
  if (issuer.protocol === 'https:' && (e.TRUST_PROXY === 'false' || e.TRUST_PROXY === '')) {
    fail(
      'TRUST_PROXY',
      'required with an https ISSUER in production: name the TLS-terminating proxy in front of Portcullis (its addresses or CIDR ranges, or true for exactly one proxy hop), or every request is refused as plain http',
    );
  }
  if (e.COOKIE_KEYS.length === 0) fail('COOKIE_KEYS', `required in production (comma separated, at least ${SECRET_MIN} characters each)`);
  if (e.COOKIE_KEYS.some((key) => key.length < SECRET_MIN)) fail('COOKIE_KEYS', `every key must be at least ${SECRET_MIN} characters`);
  if (e.KEY_ENCRYPTION_KEYS.length === 0) fail('KEY_ENCRYPTION_KEYS', 'required in production');
  // Reset links and sign-up confirmations are mail: without SMTP they would never reach anyone.
  if (e.PASSWORD_RESET === 'email' && !e.SMTP_URL) fail('PASSWORD_RESET', 'email needs SMTP_URL in production (or set PASSWORD_RESET=off)');
  if (e.REGISTRATION === 'open' && !e.SMTP_URL) fail('REGISTRATION', 'open needs SMTP_URL in production: sign-ups are confirmed by mail');
});

export type Environment = z.infer<typeof environment>;
