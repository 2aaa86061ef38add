/**
 * The remembered hashes a new password is compared with (passwords/policy.ts `reused`).
 * PASSWORD_HISTORY counts the current password: with 5, a new one may not be the current one or
 * any of the 4 before it, so 4 earlier hashes are kept beside the current one (newest first).
 * Old hashes are kept no longer than that rule needs: each is one more target for an offline guess.
 */
import type { AccountRecord } from '../storage/port.ts';

export function historyAfterChange(account: Pick<AccountRecord, 'passwordHash' | 'passwordHistory'>, history: number): string[] | undefined {
  const kept = [account.passwordHash, ...(account.passwordHistory ?? [])].slice(0, Math.max(history - 1, 0));
  return kept.length ? kept : undefined;
}
