/**
 * Every Prometheus metric Portcullis exposes, on one prom-client Registry per instance (tests run
 * several instances in one process, so never the global default registry). Names and labels are
 * low-cardinality by construction: labels take values from closed sets (route templates, grant
 * types, dimension names, key states), never a username, address, secret or raw path.
 * Pure prom-client: nothing here touches HTTP.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Request buckets from 5 ms to 10 s: token and discovery answers sit in the low tens of ms, a
 * sign-in pays argon2id (20–40 ms per hash at m=19 MiB, t=2) plus the store.
 */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** argon2id at the OWASP 2023 minimum takes 20–40 ms; the upper buckets show a queue or a costly setting. */
const HASH_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** Store calls: an embedded lookup is well under 1 ms, a mongo round trip a few ms. Few buckets: many operations. */
const STORE_BUCKETS = [0.001, 0.005, 0.025, 0.1, 0.5, 2.5];

export type LoginResult = 'success' | 'failure' | 'throttled' | 'locked';

export function createMetrics(options: { defaultMetrics: boolean }) {
  const registry = new Registry();
  // Process and Node.js metrics (CPU, memory, event-loop lag, GC) are gathered at scrape time.
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'portcullis_http_request_duration_seconds',
      help: 'Time to answer an HTTP request on the public port, by route template (or "unmatched"), method and status class.',
      labelNames: ['route', 'method', 'status_class'] as const,
      buckets: REQUEST_BUCKETS,
      registers,
    }),
    loginAttempts: new Counter({
      name: 'portcullis_login_attempts_total',
      help: 'Sign-in attempts with a password, by result: success (signed in), failure, throttled (429) or locked (423).',
      labelNames: ['result'] as const,
      registers,
    }),
    mfaVerifications: new Counter({
      name: 'portcullis_mfa_verifications_total',
      help: 'Second-factor code checks, by method (totp, backup_code, unknown when the code was wrong before a method was known) and result.',
      labelNames: ['method', 'result'] as const,
      registers,
    }),
    tokensIssued: new Counter({
      name: 'portcullis_tokens_issued_total',
      help: 'Successful token endpoint grants, by grant type.',
      labelNames: ['grant_type'] as const,
      registers,
    }),
    refreshTokenReuse: new Counter({
      name: 'portcullis_refresh_token_reuse_total',
      help: 'Refresh tokens presented again after rotation: each one revoked its whole token family (a stolen token, or a client bug).',
      registers,
    }),
    lockoutRefusals: new Counter({
      name: 'portcullis_lockout_refusals_total',
      help: 'Attempts the lockout module refused, by dimension (login.ip, login.user_ip, login.user, client.auth, endpoint.ip, mfa.person, ...).',
      labelNames: ['dimension'] as const,
      registers,
    }),
    passwordHashDuration: new Histogram({
      name: 'portcullis_password_hash_duration_seconds',
      help: 'Time of one argon2id computation (hash or verification, decoys included), not counting the wait for a slot.',
      buckets: HASH_BUCKETS,
      registers,
    }),
    passwordHashQueue: new Gauge({
      name: 'portcullis_password_hash_queue',
      help: 'argon2id computations waiting for a slot (ARGON2_CONCURRENCY run at once).',
      registers,
    }),
    storeOperationDuration: new Histogram({
      name: 'portcullis_store_operation_duration_seconds',
      help: 'Time of one call through the storage port, by backend and operation (repository or model, and method).',
      labelNames: ['backend', 'operation'] as const,
      buckets: STORE_BUCKETS,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Status class label: 2xx, 3xx, 4xx, 5xx (1xx answers are not counted on their own). */
export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}
