/**
 * Which audit events the stored trail keeps; every event is logged either way (sinks.ts).
 *
 * The trail is for questions about people and about the operators' own actions ("what happened
 * to this account", "who revoked that key"); the log pipeline is where volume belongs. So
 * (issue 11, decision for #6):
 * - `token.issued` is log-only: it fires on every token response.
 * - An event that names a known account is stored (a wrong password for a real user, an MFA
 *   failure, a reused refresh token, a session ended).
 * - An operator's or the system's own action is stored (keys, operator locks and unlocks).
 * - A failure that names no known account is log-only: an unknown username, an unknown client,
 *   a malformed request. Anyone can send those at any rate, and storing each one let strangers
 *   grow the store (and the embedded store's memory) without bound. The one exception is a known
 *   client whose own credentials failed at /token: that client is the principal under attack,
 *   and the client back-off in src/lockout bounds how often it can happen.
 * - A few events that anyone can cause without a credential are log-only when they name no
 *   account, although they are not failures: a logout of no session, an aborted anonymous
 *   sign-in, a throttled attempt for an unknown username.
 */
import type { AuditRecord } from '../storage/port.ts';

export const LOG_ONLY_EVENTS = new Set(['token.issued']);

/** Events anyone can cause without a credential; stored only when they name an account. */
const ANONYMOUS_WHEN_ACCOUNTLESS = new Set(['logout', 'interaction.aborted', 'login.throttled']);

const isFailure = (type: string) => type.endsWith('.failed') || type.endsWith('.error') || type.endsWith('_failed');

/**
 * A known confidential client whose authentication failed (oidc-provider names the client only
 * once found): someone may be guessing its secret. A client without a secret
 * (`token_endpoint_auth_method: none`) has nothing to guess, and anyone can fail in its name.
 */
const knownClientAuthFailure = (event: AuditRecord) =>
  event.type === 'token.failed' &&
  Boolean(event.clientId) &&
  event.detail?.error === 'invalid_client' &&
  event.detail?.client_auth !== undefined &&
  event.detail.client_auth !== 'none';

export function isStoredEvent(event: AuditRecord): boolean {
  if (LOG_ONLY_EVENTS.has(event.type)) return false;
  if (event.accountId) return true;
  if (event.detail?.by === 'operator') return true;
  if (ANONYMOUS_WHEN_ACCOUNTLESS.has(event.type)) return false;
  if (isFailure(event.type)) return knownClientAuthFailure(event);
  return true;
}
