/**
 * A person whose password was found in a breach chooses a new one at sign-in, after proving the
 * password and their second factor in this interaction (interactions/new-password/compromised.ts).
 * The new password goes through the whole password policy and may not be the breached one again
 * (even with PASSWORD_HISTORY=0, or with the range API unavailable and failing open). The effects
 * are those of any password change (password-change.ts): new hash, passwordChangedAt moved (ending
 * refresh-token families begun before it), every other session of theirs ended with its grants —
 * whoever else knew the breached password may be signed in — and `password.changed` audited with
 * reason `compromised`. accounts.setPassword clears the compromised mark.
 */
import type { AccountService } from '../accounts/service.ts';
import type { AuditBus } from '../audit/bus.ts';
import { ownerOf } from '../passwords/owner.ts';
import type { PasswordPolicy, PolicyViolation } from '../passwords/types.ts';
import type { AccountRecord } from '../storage/port.ts';
import type { SessionService } from './service.ts';

export type CompromisedPasswordChangeResult = { ok: true; sessionsEnded: number } | { ok: false; violations: PolicyViolation[] };

export type ReplaceCompromisedPassword = (
  account: AccountRecord,
  newPassword: string,
  /** The browser's own session of this person, if it has one: it stays. */
  keepSessionUid: string | undefined,
) => Promise<CompromisedPasswordChangeResult>;

export function createCompromisedPasswordChange(
  accounts: Pick<AccountService, 'authenticate' | 'setPassword'>,
  policy: PasswordPolicy,
  sessions: Pick<SessionService, 'endAllExcept'>,
  audit: AuditBus,
): ReplaceCompromisedPassword {
  return async (account, newPassword, keepSessionUid) => {
    const violations = await policy.check(newPassword, ownerOf(account));
    if (!violations.some((violation) => violation.code === 'reused')) {
      const same = await accounts.authenticate(account.username, newPassword);
      if (same.ok && same.account.id === account.id) violations.push({ code: 'reused', history: policy.rules.history });
    }
    if (violations.length > 0) return { ok: false, violations };
    await accounts.setPassword(account.id, newPassword);
    const sessionsEnded = await sessions.endAllExcept(account.id, keepSessionUid, 'password_changed');
    audit.emit({ type: 'password.changed', accountId: account.id, detail: { reason: 'compromised', sessionsEnded } });
    return { ok: true, sessionsEnded };
  };
}
