/**
 * A person changes their own password: the current one is checked, the new one must pass the
 * password policy, and every other session of theirs ends (with its grants and tokens). Whoever
 * knew the old password may be signed in somewhere; the browser making the change stays.
 */
import type { AuditBus } from '../audit/bus.ts';
import type { SessionService } from '../sessions/service.ts';
import type { AccountRecord } from '../storage/port.ts';
import { checkPassword, type PasswordProblem } from './policy.ts';
import type { AccountService } from './service.ts';

export type PasswordChangeResult =
  | { ok: true; sessionsEnded: number }
  | { ok: false; problem: 'wrong_password' | PasswordProblem };

export type ChangePassword = (
  account: AccountRecord,
  currentPassword: string,
  newPassword: string,
  keepSessionUid: string | undefined,
) => Promise<PasswordChangeResult>;

export function createPasswordChange(accounts: AccountService, sessions: SessionService, audit: AuditBus): ChangePassword {
  return async (account, currentPassword, newPassword, keepSessionUid) => {
    const verified = await accounts.authenticate(account.username, currentPassword);
    if (!verified.ok || verified.account.id !== account.id) {
      audit.emit({ type: 'password.change_failed', accountId: account.id, detail: { reason: 'wrong_password' } });
      return { ok: false, problem: 'wrong_password' };
    }
    const problem = checkPassword(newPassword, account.username);
    if (problem) return { ok: false, problem };
    await accounts.setPassword(account.id, newPassword);
    const sessionsEnded = await sessions.endAllExcept(account.id, keepSessionUid, 'password_changed');
    audit.emit({ type: 'password.changed', accountId: account.id, detail: { sessionsEnded } });
    return { ok: true, sessionsEnded };
  };
}
