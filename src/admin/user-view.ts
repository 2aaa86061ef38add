/** How the admin API shows a person: never a hash, a secret or a code. */
import type { AccountRecord } from '../storage/port.ts';

export interface MfaSummary {
  totp: boolean;
  backup_codes: boolean;
  /** How many passkeys the person has (0 when passkeys are off): a second factor too, and a password-less sign-in. */
  passkeys: number;
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

/** From mfa/service.ts status (an authenticator set up, and backup codes left) and the person's passkey count. */
export const mfaSummary = (status: { enrolled: boolean; backupCodesRemaining: number }, passkeys = 0): MfaSummary => ({
  totp: status.enrolled,
  backup_codes: status.backupCodesRemaining > 0,
  passkeys,
});
