/**
 * A notice when a person adds or removes a second factor themselves, by subscribing to the MFA
 * service's audit events (`mfa.enrolled`, `mfa.removed`). A removal an administrator made
 * (`detail.by: 'admin'`) is told by the admin reset's own notice instead, so the person gets one
 * mail, not two. Anyone holding a session could try either; the mail lets the owner notice.
 */
import type { AuditBus } from '../audit/bus.ts';
import type { AccountRecord } from '../storage/port.ts';
import type { Notify } from './notices.ts';

const FACTOR_NAMES: Record<string, string> = { totp: 'an authenticator app', backup_codes: 'backup codes' };

export function subscribeFactorNotices(
  audit: Pick<AuditBus, 'subscribe'>,
  deps: { findAccount(id: string): Promise<AccountRecord | undefined>; notify: Notify },
) {
  return audit.subscribe(async (event) => {
    if (!event.accountId) return;
    const added = event.type === 'mfa.enrolled';
    const removed = event.type === 'mfa.removed' && event.detail?.by !== 'admin';
    if (!added && !removed) return;
    const factors = added ? [String(event.detail?.method ?? 'totp')] : ((event.detail?.factors as unknown[] | undefined) ?? []).map(String);
    // Nothing was there to remove: nothing to tell.
    if (factors.length === 0) return;
    const account = await deps.findAccount(event.accountId);
    if (!account || account.deletedAt) return;
    const names = [...new Set(factors.map((factor) => FACTOR_NAMES[factor] ?? 'a second factor'))];
    await deps.notify(account, added ? 'factor_added' : 'factor_removed', { data: { factors: names } });
  });
}
