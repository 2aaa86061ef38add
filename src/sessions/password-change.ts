/**
 * A person changes their own password: the current one is checked, the new one must pass the
 * password policy, and every other session of theirs ends (with its grants and tokens). Whoever
 * knew the old password may be signed in somewhere; the browser making the change stays.
 *
 * The current-password check is a password check like the login form's, so it goes through the
 * same brute-force guard (username + address, username, address): a stolen or borrowed session
 * must not be an unthrottled guessing oracle. A refusal throws (429, Retry-After) even for the
 * right password, as on the login form, or the wait would tell a guesser when they were right.
 *
 * The new password goes through the password policy (passwords/policy.ts) only after the current
 * one is proved, so the policy's answers (reuse of an earlier password, a breach) are never given
 * to whoever merely holds the session. A refusal throws PasswordPolicyError (400 `password_policy`
 * with every violation); nothing is written.
 */

import type { AccountService } from '../accounts/service.ts';
import type { AuditBus } from '../audit/bus.ts';
import type { LoginGuard } from '../lockout/login-attempts.ts';
import { ownerOf } from '../passwords/owner.ts';
import type { PasswordPolicy } from '../passwords/types.ts';
import type { AccountRecord } from '../storage/port.ts';
import type { SessionService } from './service.ts';

export type PasswordChangeResult = { ok: true; sessionsEnded: number } | { ok: false; problem: 'wrong_password' };

export type ChangePassword = (
  account: AccountRecord,
  currentPassword: string,
  newPassword: string,
  keepSessionUid: string | undefined,
  /** The client address, for the brute-force guard. */
  ip: string,
) => Promise<PasswordChangeResult>;

export function createPasswordChange(
  accounts: AccountService,
  sessions: SessionService,
  audit: AuditBus,
  guard: LoginGuard,
  policy: Pick<PasswordPolicy, 'assert'>,
): ChangePassword {
  return async (account, currentPassword, newPassword, keepSessionUid, ip) => {
    const attempt = { username: account.username, ip, accountId: account.id };
    await guard.check(attempt);
    const verified = await accounts.authenticate(account.username, currentPassword);
    if (!verified.ok || verified.account.id !== account.id) {
      await guard.failed(attempt);
      audit.emit({ type: 'password.change_failed', accountId: account.id, detail: { reason: 'wrong_password' } });
      return { ok: false, problem: 'wrong_password' };
    }
    await guard.succeeded(attempt);
    // The record as authenticate just read it: its current hash and history are the ones to compare.
    await policy.assert(newPassword, ownerOf(verified.account));
    await accounts.setPassword(account.id, newPassword);
    const sessionsEnded = await sessions.endAllExcept(account.id, keepSessionUid, 'password_changed');
    audit.emit({ type: 'password.changed', accountId: account.id, detail: { sessionsEnded } });
    return { ok: true, sessionsEnded };
  };
}
