/**
 * The dimensions throttling is counted in, each with its own budget, built once from the
 * configuration. Two kinds:
 * - `budget`: at most `points` counted events per fixed `window` (seconds, from the first event);
 *   once spent, every attempt waits for the window to end;
 * - `backoff`: consecutive failures, remembered for `memory` seconds from the first one; past
 *   `free` of them each failure imposes an exponentially growing wait (see backoff.ts).
 * README.md § Brute-force defence explains the defaults.
 */
import type { Config } from '../config/index.ts';
import type { BackoffPolicy } from './backoff.ts';
import type { Part } from './keys.ts';

export type DimensionSpec =
  | { kind: 'budget'; parts: readonly Part[]; points: number; window: number }
  | ({ kind: 'backoff'; parts: readonly Part[]; memory: number } & BackoffPolicy);

export const DIMENSIONS = [
  'login.ip',
  'login.user_ip',
  'login.user',
  'login.inflight',
  'login.throttle_note',
  'client.auth',
  'endpoint.ip',
  'mfa.person',
  'mfa.inflight',
  'password_reset.person',
  'password_reset.ip',
  'signup.email',
  'email_change.person',
  'signup.ip',
  'client.total',
  'browser.ip',
] as const;

export type DimensionName = (typeof DIMENSIONS)[number];

/** Good-standing marks: "this username signed in from this address", and the same for clients. */
export const MARKS = {
  'login.known': ['username', 'ip'],
  'client.known': ['client', 'ip'],
} as const satisfies Record<string, readonly Part[]>;

export type MarkName = keyof typeof MARKS;

/**
 * How long a sign-in may hold its slot (see login-guard.ts); argon2 takes well under a second.
 * A verification that throws (store outage) leaves the slot to expire: the person retries in 5 s.
 */
const INFLIGHT_SECONDS = 5;
/** At most one login.throttled audit event per username + address per minute: refusals are free to send. */
const THROTTLE_NOTE_SECONDS = 60;
/** How long one second-factor check may hold its person's slot (see mfa-guard.ts); a check takes milliseconds. */
const MFA_INFLIGHT_SECONDS = 5;

export function buildDimensions(lockout: Config['lockout']): Record<DimensionName, DimensionSpec> {
  const backoff = (parts: readonly Part[], free: number, cap: number, base = lockout.backoffBase): DimensionSpec => ({
    kind: 'backoff',
    parts,
    free,
    base,
    cap,
    memory: lockout.failureMemory,
  });
  return {
    'login.ip': { kind: 'budget', parts: ['ip'], points: lockout.ipFailures, window: lockout.ipWindow },
    'login.user_ip': backoff(['username', 'ip'], lockout.userIpFreeFailures, lockout.userIpMaxDelay),
    'login.user': backoff(['username'], lockout.userFreeFailures, lockout.userMaxDelay),
    'login.inflight': { kind: 'budget', parts: ['username', 'ip'], points: 1, window: INFLIGHT_SECONDS },
    'login.throttle_note': { kind: 'budget', parts: ['username', 'ip'], points: 1, window: THROTTLE_NOTE_SECONDS },
    // Per client AND address (IPv6 per /64, keys.ts): a stranger's failures hold back only the
    // stranger's own address, never the client's other callers (security audit finding 3).
    'client.auth': backoff(['client', 'ip'], lockout.clientFreeFailures, lockout.clientMaxDelay),
    'endpoint.ip': { kind: 'budget', parts: ['ip'], points: lockout.endpointIpFailures, window: lockout.endpointIpWindow },
    // The only MFA throttle: 5 free wrong codes, then 30 s doubling to 1 h by default (mfa-guard.ts).
    'mfa.person': backoff(['person'], lockout.mfaFreeFailures, lockout.mfaMaxDelay, lockout.mfaBackoffBase),
    'mfa.inflight': { kind: 'budget', parts: ['person'], points: 1, window: MFA_INFLIGHT_SECONDS },
    // Reset requests for one person never answer 429 (that would tell whether the person exists):
    // past the budget the answer is the same and no mail goes. Per address the budget may refuse.
    'password_reset.person': { kind: 'budget', parts: ['person'], points: lockout.resetRequests, window: lockout.resetWindow },
    'password_reset.ip': { kind: 'budget', parts: ['ip'], points: lockout.resetIpRequests, window: lockout.resetIpWindow },
    // Sign-ups per email address (the normalised address is the username) answer the same when spent; per address they may refuse.
    'signup.email': { kind: 'budget', parts: ['username'], points: lockout.signupRequests, window: lockout.signupWindow },
    // Verification mails a signed-in person sends to addresses of their choosing: the reset budget's size (5 an hour).
    'email_change.person': { kind: 'budget', parts: ['person'], points: lockout.resetRequests, window: lockout.resetWindow },
    'signup.ip': { kind: 'budget', parts: ['ip'], points: lockout.signupIpRequests, window: lockout.signupIpWindow },
    // The only client-wide count: failed authentications of one confidential client from all
    // addresses together, a high ceiling against guessing spread over many addresses.
    'client.total': { kind: 'budget', parts: ['client'], points: lockout.clientTotalFailures, window: lockout.clientTotalWindow },
    // Every request to /auth, /device and /session/end (each stores an interaction or a session).
    'browser.ip': { kind: 'budget', parts: ['ip'], points: lockout.browserIpRequests, window: lockout.browserIpWindow },
  };
}
