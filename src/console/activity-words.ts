/**
 * A person's own audit events in plain words, for the Security activity page and the data export.
 * Each known type gets a sentence made from the event's type, its reason and the app's name only;
 * nothing else of `detail` is shown, so no internal identifier or raw value reaches the page. A
 * type without a sentence gets a generic one. A few events are plumbing (a logout token delivered,
 * a retried refresh within its grace window) or say again what another event already says (a
 * grant revoked because the person revoked the app); `describeEvent` gives them no sentence and
 * the page leaves them out, while the export keeps them with the generic sentence.
 */
import type { AuditRecord } from '../storage/port.ts';

/** Left off the activity page: machinery, or told by another event of the same action. */
const PLUMBING = new Set(['backchannel_logout.sent', 'backchannel_logout.error', 'refresh_token.grace_retry', 'mail.failed', 'mfa.verified', 'token.issued']);

export const GENERIC = 'Other activity on your account';

type Words = (event: AuditRecord, app: string) => string | undefined;

const reasonOf = (event: AuditRecord) => (typeof event.detail?.reason === 'string' ? event.detail.reason : undefined);

const SESSION_ENDED: Record<string, string> = {
  self: 'You signed out of a session',
  self_others: 'A session was signed out when you signed out everywhere else',
  password_changed: 'A session was signed out because your password changed',
  password_reset: 'A session was signed out because your password was reset',
  session_limit: 'Your oldest session was signed out: you reached the limit of sessions',
  admin: 'An administrator signed out one of your sessions',
  not_me: 'A session was signed out when you reported activity that was not yours',
};

const GRANT_REVOKED: Record<string, (app: string) => string> = {
  client_deleted: (app) => `${app} was removed from this service, and its access with it`,
  admin_roles_changed: (app) => `${app}’s administration access ended because your roles changed`,
  password_changed: (app) => `${app}’s access ended because your password changed`,
  password_reset: (app) => `${app}’s access ended because your password was reset`,
  not_me: (app) => `${app}’s access ended when you reported activity that was not yours`,
};

const WORDS: Record<string, Words> = {
  'login.success': (event, app) => {
    const amr = Array.isArray(event.detail?.amr) ? event.detail.amr : [];
    return `Signed in to ${app}${amr.includes('mfa') ? ' with two-step verification' : ''}`;
  },
  'login.failed': (event) => {
    const reason = reasonOf(event);
    if (reason === 'invalid_credentials') return 'Someone tried to sign in with a wrong password';
    if (reason === 'account_disabled') return 'Someone tried to sign in while your account was disabled';
    if (reason === 'mfa_not_set_up') return 'A sign-in was refused: two-step verification is required and not set up';
    return 'A sign-in attempt failed';
  },
  'login.throttled': () => 'Sign-in attempts were slowed down after several failures',
  'mfa.failed': () => 'Someone entered a wrong two-step verification code',
  'mfa.throttled': () => 'Two-step verification attempts were slowed down after several wrong codes',
  'mfa.enrolled': () => 'Two-step verification was turned on',
  'mfa.removed': () => 'Two-step verification was turned off',
  'mfa.backup_codes_regenerated': () => 'New backup codes were made; the old ones no longer work',
  'mfa.backup_code_used': () => 'A backup code was used',
  'passkey.registered': () => 'A passkey was added',
  'passkey.removed': () => 'A passkey was removed',
  // Its sign-in is told by login.success.
  'passkey.sign_in': () => undefined,
  'passkey.refused': () => 'Someone tried to use a passkey that was refused',
  'account.locked': (event) => (event.detail?.temporary === true ? 'Sign-in was paused for a while after several wrong passwords' : 'Your account was locked'),
  'account.unlocked': () => 'Your account was unlocked',
  'account.registered': () => 'Your account was created',
  'password.changed': () => 'Your password was changed',
  'password.change_failed': () => 'A password change was refused',
  'password.reset_requested': () => 'A password reset link was asked for',
  'password.reset': () => 'Your password was reset with an emailed link',
  'consent.granted': (_event, app) => `You allowed ${app} to access your account`,
  'account.app_revoked': (_event, app) => `You removed ${app}’s access`,
  'account.not_me': () => 'You reported activity that was not yours: every other session and app was signed out',
  'grant.revoked': (event, app) => {
    const reason = reasonOf(event);
    // Revoking the app, ending a session: told by account.app_revoked and session.ended.
    if (reason === 'self' || reason === 'self_others' || reason === undefined) return undefined;
    return GRANT_REVOKED[reason]?.(app) ?? `${app}’s access was ended`;
  },
  'session.ended': (event) => SESSION_ENDED[reasonOf(event) ?? ''] ?? 'A session was signed out',
  'session.limit_refused': () => 'A sign-in was refused: you reached the limit of sessions',
  logout: (_event, app) => `Signed out of ${app}`,
  'refresh_token.reuse_detected': (_event, app) => `${app} used an old sign-in token again; to be safe, its access was ended`,
  'authorization.failed': (_event, app) => `A sign-in to ${app} did not finish`,
  'interaction.aborted': () => 'A sign-in was cancelled',
};

/**
 * The sentence for an event on the activity page, or undefined when the page leaves it out.
 * `app` is the name to use for the event's client ("this account page", "Web App").
 */
export function describeEvent(event: AuditRecord, app: string): string | undefined {
  if (PLUMBING.has(event.type)) return undefined;
  const words = WORDS[event.type];
  if (words) return words(event, app);
  if (event.type.startsWith('admin.')) return 'An administrator changed your account';
  return GENERIC;
}
