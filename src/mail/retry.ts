/**
 * When the outbox tries again. A failed attempt (SMTP down, timed out, a 4xx answer) is retried
 * after 1 min, then 2, 4, 8, 16, 32 min and 1 h: 8 attempts in all, the last one about 2 h 3 min
 * after the first. That rides out a relay restart or a short outage of the provider; an outage
 * longer than two hours is an incident an operator sees in the logs and in `mail.failed` events.
 * Reset and verification links expire sooner (PASSWORD_RESET_TTL, 30 min by default) and their
 * rows go with them.
 */

/** Attempts in all, the first included. */
export const MAX_ATTEMPTS = 8;
export const FIRST_RETRY_MS = 60_000;
export const MAX_RETRY_MS = 60 * 60_000;

/**
 * How long a claimed row stays out of every other worker's reach: longer than one send can take
 * (the mailer gives each SMTP phase 10 s), so a row is only claimed again when its worker died.
 */
export const CLAIM_LEASE_MS = 5 * 60_000;

/** The worker's sweep when nothing nudges it: due retries and rows left by another process. */
export const SWEEP_INTERVAL_MS = 30_000;

/** The wait after the `attempts`-th failed attempt (1-based). */
export function retryDelay(attempts: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
}

/**
 * An SMTP answer that retrying will not change: 550–554 (mailbox unavailable, name not allowed,
 * transaction failed by policy). Other 5xx, such as 535 (bad credentials), are the operator's to fix
 * and worth retrying while they do.
 */
export function isPermanent(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 550 && code <= 554;
}
