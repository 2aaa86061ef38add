/** The facts of an account the policy judges a new password by: names for strength and likeness, hashes for reuse. */
import type { AccountRecord } from '../storage/port.ts';
import type { PasswordOwner } from './types.ts';

export function ownerOf(account: Pick<AccountRecord, 'username' | 'email' | 'name' | 'passwordHash' | 'passwordHistory'>): PasswordOwner {
  return { username: account.username, email: account.email, name: account.name, passwordHash: account.passwordHash, passwordHistory: account.passwordHistory };
}
