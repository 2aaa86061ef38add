/**
 * Which claims each scope releases, and how an account maps onto them. `roles` is our own scope
 * so a relying party only learns someone's roles when it asks for them.
 */
import type { AccountRecord } from '../storage/port.ts';

export const SCOPE_CLAIMS = {
  openid: ['sub'],
  profile: ['name', 'preferred_username', 'updated_at'],
  email: ['email', 'email_verified'],
  roles: ['roles'],
} as const;

export function accountClaims(account: AccountRecord): Record<string, unknown> {
  return {
    sub: account.id,
    preferred_username: account.username,
    ...(account.name ? { name: account.name } : {}),
    ...(account.email ? { email: account.email, email_verified: account.emailVerified ?? false } : {}),
    roles: account.roles,
    updated_at: Math.floor(account.updatedAt.getTime() / 1000),
  };
}
