/**
 * Every audit event type the server emits, what it means, and the only `detail` keys it may
 * carry (the bus drops the rest: detail-filter.ts). test/audit/catalogue.test.ts reads src/ and
 * fails when a type is emitted that is not listed here, or listed here and emitted nowhere, so
 * the list cannot rot; docs/audit-events.md is generated from it (catalogue-doc.ts).
 *
 * Detail values are identifiers, names of things, counts and short codes — never a password, a
 * code, a secret or a full token. An allow-list rather than a deny-list: a key someone adds at an
 * emit site tomorrow (say `token`) is dropped until it is listed here, where a reviewer sees it.
 */
import type { ActorRule } from './actor.ts';

export interface EventEntry {
  /** One line: what happened. */
  meaning: string;
  /** The `detail` keys the event may carry. */
  detail: readonly string[];
  /** Who the event names as its actor when the emit site does not say (actor.ts); `person` if absent. */
  actor?: ActorRule;
}

/** A catalogue entry as the bus uses it: the allow-list as a set. */
export interface CompiledEntry extends EventEntry {
  allowed: ReadonlySet<string>;
}

const ADMIN_WRITE = ['actor', 'target', 'fields'] as const;
const admin = (meaning: string, extra: readonly string[] = []): EventEntry => ({ meaning, detail: [...ADMIN_WRITE, ...extra], actor: 'admin' });

export const AUDIT_EVENTS = {
  // Sign-in at the interaction pages.
  'login.success': { meaning: 'A person finished signing in (password and any second factor) for a client.', detail: ['amr', 'userAgent'] },
  'login.failed': {
    meaning: 'A sign-in was refused: wrong password, unknown user, disabled account, no second factor set up, or a compromised password.',
    detail: ['reason', 'mfa', 'userAgent'],
  },
  'login.throttled': {
    meaning: 'A sign-in was refused by the rate limits or a lock (at most once a minute per username and address).',
    detail: ['dimension', 'retry_after', 'locked'],
    actor: 'anonymous',
  },
  'interaction.aborted': { meaning: 'A person cancelled at the consent page.', detail: [] },
  'consent.granted': { meaning: 'A person granted a client the scopes it asked for.', detail: ['scopes'] },

  // Second factors.
  'mfa.verified': { meaning: 'A second factor was accepted.', detail: ['method'] },
  'mfa.failed': { meaning: 'A second-factor code was refused: wrong, replayed, or no factor enrolled.', detail: ['reason'] },
  'mfa.throttled': { meaning: 'Second-factor attempts for the account are over their limit; the code was not checked.', detail: [] },
  'mfa.enrolled': { meaning: 'An authenticator app was set up (backup codes issued with it).', detail: ['method'] },
  'mfa.backup_code_used': { meaning: 'A backup code was consumed.', detail: ['remaining'] },
  'mfa.backup_codes_regenerated': { meaning: 'A new set of backup codes replaced the old one.', detail: [] },
  'mfa.removed': { meaning: 'Every second factor of the account was removed (by the person or an administrator).', detail: ['factors', 'by'] },
  'passkey.registered': { meaning: 'A passkey was added to the account (console or sign-in enrolment).', detail: ['method', 'credential', 'backupEligible'] },
  'passkey.removed': { meaning: 'A passkey was removed from the account (by the person or an administrator).', detail: ['method', 'credential', 'name', 'by'] },
  'passkey.sign_in': { meaning: 'A passkey assertion verified, password-less or as the second factor.', detail: ['credential', 'mode', 'userVerified'] },
  'passkey.refused': { meaning: 'A passkey ceremony was refused (the reason is a stable code).', detail: ['reason', 'ceremony', 'credential'] },

  // Lockout.
  'account.locked': {
    meaning: 'A username or an address was locked: a pause after repeated failures, a hard lock by policy, or by an operator.',
    detail: ['scope', 'temporary', 'retry_after', 'failures', 'by', 'actor', 'address'],
    actor: 'system',
  },
  'account.unlocked': { meaning: 'An operator or administrator cleared the lock of a username or an address.', detail: ['scope', 'by', 'actor', 'address'] },

  // Passwords and the account's own data.
  'password.changed': {
    meaning: "The account's password was changed by its owner (voluntarily, because it had to, or because it was compromised).",
    detail: ['reason', 'sessionsEnded'],
  },
  'password.change_failed': { meaning: 'A password change was refused because the current password was wrong.', detail: ['reason'] },
  'password.compromised': { meaning: 'The password used to sign in was found in a breach corpus.', detail: [] },
  'password.reset_requested': {
    meaning: 'Someone asked for a reset link for the account; says whether one was sent.',
    detail: ['reason', 'outcome'],
    actor: 'anonymous',
  },
  'password.reset': { meaning: 'The password was set through a reset link.', detail: ['sessionsEnded'] },
  'account.registered': { meaning: 'A person signed up.', detail: [] },
  'account.signup_refused': {
    meaning: 'A sign-up named the address of an existing account; no second account was made.',
    detail: ['reason'],
    actor: 'anonymous',
  },
  'account.email_change_requested': { meaning: 'The person asked to change their address; a confirmation link went to the new one.', detail: ['domain'] },
  'account.email_change_refused': { meaning: 'A confirmed address change was refused because another account holds the address.', detail: ['reason'] },
  'account.email_changed': { meaning: 'The account now has a new, verified address.', detail: ['by', 'domain'] },
  'account.profile_updated': { meaning: 'The person changed their profile.', detail: ['fields'] },
  'account.not_me': { meaning: 'The person said a sign-in was not theirs: every session and app grant ended.', detail: ['sessionsEnded', 'apps'] },
  'account.app_revoked': { meaning: "The person revoked an application's access from the account console.", detail: ['grants'] },

  // Sessions and grants.
  'session.ended': {
    meaning: 'A browser session was ended (by the person, a password change or reset, the session limit, or an administrator).',
    detail: ['uid', 'reason', 'clients'],
  },
  'session.limit_refused': { meaning: 'A new sign-in was refused because the account already has its maximum of sessions.', detail: ['limit', 'live'] },
  'grant.revoked': { meaning: "A grant (a client's standing access for the account) was revoked, with its tokens.", detail: ['grantId', 'reason'] },
  logout: { meaning: 'A person signed out at the end-session endpoint.', detail: [] },
  'backchannel_logout.sent': { meaning: 'A back-channel logout token was delivered to a client.', detail: ['reason'] },
  'backchannel_logout.error': {
    meaning: 'A back-channel logout could not be delivered (network, refused address, or an error from the client).',
    detail: ['reason', 'error', 'refused'],
  },

  // Tokens.
  'token.issued': { meaning: 'The token endpoint answered with tokens (every grant type).', detail: ['grant_type'], actor: 'token' },
  'token.failed': {
    meaning: 'The token endpoint refused a request (bad client credentials, a bad or used code or refresh token …).',
    detail: ['grant_type', 'error', 'client_auth'],
    actor: 'token',
  },
  'authorization.failed': { meaning: 'The authorization endpoint refused a request.', detail: ['error'] },
  'refresh_token.reuse_detected': {
    meaning: 'A refresh token that had already been rotated was presented again (or by another client): the whole family was revoked.',
    detail: ['reason', 'grantId', 'issuedTo', 'rotations'],
    actor: 'token',
  },
  'refresh_token.grace_retry': {
    meaning: 'A client retried a refresh inside the grace window and got the successor token again.',
    detail: ['grantId'],
    actor: 'token',
  },
  'refresh_token.retry_refused': {
    meaning: 'A parallel refresh with the same token was refused while the first was in flight.',
    detail: ['grantId'],
    actor: 'token',
  },
  'refresh_token.refused': { meaning: 'A refresh token issued before the last password change was refused.', detail: ['reason', 'grantId'], actor: 'token' },
  'artefact.reuse_detected': {
    meaning: 'A one-time artefact (authorization code, device code …) was consumed twice; the second use lost.',
    detail: ['model', 'id'],
    actor: 'token',
  },

  // Signing keys (the rotation timer or an administrator's request).
  'key.created': {
    meaning: 'A signing key was created and signs at once (no key signed before).',
    detail: ['kid', 'alg', 'activatesAt', 'replaced'],
    actor: 'system',
  },
  'key.published': {
    meaning: 'A next signing key was created and published in the JWKS before it signs.',
    detail: ['kid', 'alg', 'activatesAt'],
    actor: 'system',
  },
  'key.rotated': {
    meaning: 'A key became the current signing key; the keys it replaced stay published as previous.',
    detail: ['kid', 'alg', 'replaced'],
    actor: 'system',
  },
  'key.rescheduled': { meaning: 'The activation time of the next key moved.', detail: ['kid', 'activatesAt'], actor: 'system' },
  'key.demoted': { meaning: 'Current keys became previous keys (verify only).', detail: ['kids'], actor: 'system' },
  'key.retired': { meaning: 'A previous key left the JWKS.', detail: ['kid'], actor: 'system' },
  'key.revoked': { meaning: 'A key was revoked at once (compromise): it neither signs nor verifies.', detail: ['kid', 'alg', 'was'], actor: 'system' },

  // Mail.
  'mail.failed': { meaning: 'A mail gave up after its last retry.', detail: ['template', 'attempts', 'reason'], actor: 'system' },

  // The admin API.
  'admin.operator_token': { meaning: 'The break-glass OPERATOR_TOKEN was used (reads included).', detail: ['actor', 'method', 'path'], actor: 'admin' },
  'admin.refused': {
    meaning: 'An admin API call was refused: no or a bad token, a missing scope, an address not allowed, or the anti-escalation policy.',
    detail: ['status', 'error', 'method', 'path', 'scope', 'actor', 'target'],
    actor: 'admin',
  },
  'admin.users.create': admin('An administrator created a user.'),
  'admin.users.update': admin('An administrator changed a user (names of the fields only).'),
  'admin.users.delete': admin('An administrator deleted a user (soft delete).'),
  'admin.users.purge': admin('An administrator erased a user and scrubbed the personal fields of their audit records.'),
  'admin.users.password': admin("An administrator set a user's password or password hash."),
  'admin.users.mfa_reset': admin("An administrator removed a user's second factors."),
  'admin.users.sessions_end': admin("An administrator ended a user's sessions and grants."),
  'admin.users.unlock': admin('An administrator cleared the lockout of a user.'),
  'admin.clients.create': admin('An administrator registered a client.'),
  'admin.clients.update': admin('An administrator changed a client.'),
  'admin.clients.delete': admin('An administrator deleted a client.', ['purge']),
  'admin.clients.secret_rotate': admin("An administrator rotated a client's secret."),
  'admin.resources.create': admin('An administrator added a resource server.'),
  'admin.resources.update': admin('An administrator changed a resource server.'),
  'admin.resources.delete': admin('An administrator removed a resource server.'),
  'admin.roles.create': admin('An administrator created an admin role.'),
  'admin.roles.update': admin('An administrator changed an admin role.'),
  'admin.roles.delete': admin('An administrator deleted an admin role.'),
  'admin.keys.rotate': admin('An administrator asked for a signing-key rotation.'),
  'admin.keys.revoke': admin('An administrator revoked a signing key.'),
  'admin.lockout.lock': admin('An administrator locked a username or an address.', ['scope', 'address']),
  'admin.lockout.unlock': admin('An administrator unlocked a username or an address.', ['scope', 'address']),
} as const satisfies Record<string, EventEntry>;

export type AuditEventType = keyof typeof AUDIT_EVENTS;

const entries: ReadonlyMap<string, CompiledEntry> = new Map(
  Object.entries(AUDIT_EVENTS as Record<string, EventEntry>).map(([type, entry]) => [type, { ...entry, allowed: new Set(entry.detail) }]),
);

export function catalogueEntry(type: string): CompiledEntry | undefined {
  return entries.get(type);
}
