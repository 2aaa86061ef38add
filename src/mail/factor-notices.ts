/**
 * A notice when a person adds or removes a second factor themselves, by subscribing to the MFA
 * service's audit events (`mfa.enrolled`, `mfa.removed`) and the passkey ones. A removal an administrator made
 * (`detail.by: 'admin'`) is told by the admin reset's own notice instead, so the person gets one
 * mail, not two. Anyone holding a session could try either; the mail lets the owner notice.
 */
import type { AuditBus } from '../audit/bus.ts';
import type { AccountRecord } from '../storage/port.ts';
import type { Notify } from './notices.ts';

const FACTOR_NAMES: Record<string, string> = { totp: 'an authenticator app', backup_codes: 'backup codes', passkey: 'a passkey' };

export function subscribeFactorNotices(
  audit: Pick<AuditBus, 'subscribe'>,
  deps: { findAccount(id: string): Promise<AccountRecord | undefined>; notify: Notify },
) {
  return audit.subscribe(async (event) => {
    if (!event.accountId) return;
    // Passkeys (mfa/passkeys/service.ts) are told the same way: `passkey.registered` / `passkey.removed`.
    const added = event.type === 'mfa.enrolled' || event.type === 'passkey.registered';
    const removed = (event.type === 'mfa.removed' && event.detail?.by !== 'admin') || (event.type === 'passkey.removed' && event.detail?.by !== 'admin');
    if (!added && !removed) return;
    const factors =
      added || event.type === 'passkey.removed'
        ? [String(event.detail?.method ?? 'totp')]
        : ((event.detail?.factors as unknown[] | undefined) ?? []).map(String);
    // Nothing was there to remove: nothing to tell.
    if (factors.length === 0) return;
    const account = await deps.findAccount(event.accountId);
    if (!account || account.deletedAt) return;
    const names = [...new Set(factors.map((factor) => FACTOR_NAMES[factor] ?? 'a second factor'))];
    await deps.notify(account, added ? 'factor_added' : 'factor_removed', { data: { factors: names } });
  });
}
