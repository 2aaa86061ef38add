/** How the admin API shows a person: never a hash, a secret or a code. */
import type { AccountRecord } from '../storage/port.ts';

export interface MfaSummary {
  totp: boolean;
  backup_codes: boolean;
}

export function userView(account: AccountRecord, mfa: MfaSummary) {
  return {
    id: account.id,
    username: account.username,
    email: account.email ?? null,
    email_verified: account.emailVerified === true,
    name: account.name ?? null,
    roles: account.roles,
    admin_roles: account.adminRoles ?? [],
    disabled: account.status !== 'active',
    must_change_password: account.mustChangePassword === true,
    mfa,
    created_at: account.createdAt.toISOString(),
    updated_at: account.updatedAt.toISOString(),
    password_changed_at: account.passwordChangedAt.toISOString(),
  };
}

/** From mfa/service.ts status: an authenticator set up, and backup codes left. */
export const mfaSummary = (status: { enrolled: boolean; backupCodesRemaining: number }): MfaSummary => ({
  totp: status.enrolled,
  backup_codes: status.backupCodesRemaining > 0,
});
