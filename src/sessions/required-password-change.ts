/**
 * A person whose password an administrator set with `must_change` chooses their own at sign-in
 * (interactions/new-password/). They have just proved the admin-set password in this same
 * interaction, so no current password is asked again; the new one must pass the password policy
 * (passwords/policy.ts; a refusal throws PasswordPolicyError, nothing written) and differ from the
 * admin-set one (`same_password`, asked before the policy). The effects are those of the account console's change
 * (password-change.ts): new hash, passwordChangedAt moved (which ends refresh-token families begun
 * before it), every other session of theirs ended with its grants, `password.changed` audited —
 * and the `must_change` mark cleared (accounts.setPassword clears it).
 */
import type { AccountService } from '../accounts/service.ts';
import type { AuditBus } from '../audit/bus.ts';
import { ownerOf } from '../passwords/owner.ts';
import type { PasswordPolicy } from '../passwords/types.ts';
import type { AccountRecord } from '../storage/port.ts';
import type { SessionService } from './service.ts';

export type RequiredPasswordChangeResult = { ok: true; sessionsEnded: number } | { ok: false; problem: 'same_password' };

export type ReplaceRequiredPassword = (
  account: AccountRecord,
  newPassword: string,
  /** The browser's own session of this person, if it has one: it stays, as on the console. */
  keepSessionUid: string | undefined,
) => Promise<RequiredPasswordChangeResult>;

export function createRequiredPasswordChange(
  accounts: Pick<AccountService, 'authenticate' | 'setPassword'>,
  sessions: Pick<SessionService, 'endAllExcept'>,
  audit: AuditBus,
  policy: Pick<PasswordPolicy, 'assert'>,
): ReplaceRequiredPassword {
  return async (account, newPassword, keepSessionUid) => {
    // The admin-set password is known to the admin (and whoever they sent it by): keeping it is no
    // change. Asked first, so the person reads this plainer reason rather than the policy's `reused`.
    const same = await accounts.authenticate(account.username, newPassword);
    if (same.ok && same.account.id === account.id) return { ok: false, problem: 'same_password' };
    await policy.assert(newPassword, ownerOf(account));
    await accounts.setPassword(account.id, newPassword);
    const sessionsEnded = await sessions.endAllExcept(account.id, keepSessionUid, 'password_changed');
    audit.emit({ type: 'password.changed', accountId: account.id, detail: { reason: 'must_change', sessionsEnded } });
    return { ok: true, sessionsEnded };
  };
}
