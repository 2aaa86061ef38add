/**
 * Accounts: creation with normalised usernames, and password authentication that takes the same
 * time whether or not the username exists (a decoy verification runs for unknown names).
 */
import { randomUUID } from 'node:crypto';
import type { AccountRecord, AccountRepository } from '../storage/port.ts';
import type { PasswordHasher } from './hashing.ts';
import { historyAfterChange } from './password-history.ts';

export interface NewAccount {
  username: string;
  email?: string | undefined;
  emailVerified?: boolean | undefined;
  name?: string | undefined;
  roles?: string[] | undefined;
  /** Management roles (rbac/roles.ts): what this person may do in the admin API. */
  adminRoles?: string[] | undefined;
  /** An admin chose the password and marked it as one to replace: the person chooses a new one at their next sign-in (interactions/new-password/). */
  mustChangePassword?: boolean | undefined;
  /** Either a plaintext password (hashed here) or an argon2id PHC string. */
  password?: string | undefined;
  passwordHash?: string | undefined;
  id?: string | undefined;
}

export type AuthenticationResult = { ok: true; account: AccountRecord } | { ok: false; reason: 'invalid_credentials' | 'account_disabled'; accountId?: string };

export interface AccountService {
  create(input: NewAccount): Promise<AccountRecord>;
  findById(id: string): Promise<AccountRecord | undefined>;
  findByUsername(username: string): Promise<AccountRecord | undefined>;
  authenticate(username: string, password: string): Promise<AuthenticationResult>;
  /** The person's own new password (already through the policy): the old hash joins the history. */
  setPassword(id: string, password: string): Promise<void>;
}

export interface AccountServiceOptions {
  /** PASSWORD_HISTORY: how many passwords, the current one included, a new one may not repeat. */
  history?: number;
}

export function normaliseUsername(username: string): string {
  return username.normalize('NFKC').trim().toLowerCase();
}

export function createAccountService(repo: AccountRepository, hasher: PasswordHasher, options: AccountServiceOptions = {}): AccountService {
  const history = options.history ?? 0;
  return {
    async create(input) {
      if (!input.password && !input.passwordHash) throw new Error('an account needs a password or a password hash');
      const now = new Date();
      const account: AccountRecord = {
        id: input.id ?? randomUUID(),
        username: normaliseUsername(input.username),
        ...(input.email ? { email: input.email.trim().toLowerCase() } : {}),
        ...(input.email ? { emailVerified: input.emailVerified ?? false } : {}),
        ...(input.name ? { name: input.name } : {}),
        roles: input.roles ?? [],
        ...(input.adminRoles?.length ? { adminRoles: [...new Set(input.adminRoles)] } : {}),
        ...(input.mustChangePassword ? { mustChangePassword: true } : {}),
        status: 'active',
        passwordHash: input.passwordHash ?? (await hasher.hash(input.password as string)),
        passwordChangedAt: now,
        createdAt: now,
        updatedAt: now,
      };
      await repo.create(account);
      return account;
    },
    findById: (id) => repo.findById(id),
    findByUsername: (username) => repo.findByUsername(normaliseUsername(username)),
    async authenticate(username, password) {
      const account = await repo.findByUsername(normaliseUsername(username));
      if (!account) {
        await hasher.decoy(password);
        return { ok: false, reason: 'invalid_credentials' };
      }
      const { ok, rehash } = await hasher.verify(account.passwordHash, password);
      // A soft-deleted person is refused exactly like a wrong password (and like an unknown name
      // to the lockout counters' eyes, it still counts against the username).
      if (!ok || account.deletedAt !== undefined) return { ok: false, reason: 'invalid_credentials', accountId: account.id };
      // Checked after the password so a disabled account cannot be told apart by timing alone.
      if (account.status !== 'active') return { ok: false, reason: 'account_disabled', accountId: account.id };
      if (rehash) {
        // Parameters were raised since this hash was made: upgrade it now that we know the password.
        await repo.update(account.id, { passwordHash: await hasher.hash(password), updatedAt: new Date() });
      }
      return { ok: true, account };
    },
    async setPassword(id, password) {
      const account = await repo.findById(id);
      if (!account) return;
      const passwordHash = await hasher.hash(password);
      const now = new Date();
      // The person chose this password themselves: an admin's `must_change` mark is answered, and a
      // password found in a breach (passwords/breach.ts) is replaced.
      await repo.update(id, {
        passwordHash,
        passwordHistory: historyAfterChange(account, history),
        passwordChangedAt: now,
        updatedAt: now,
        mustChangePassword: undefined,
        passwordCompromisedAt: undefined,
      });
    },
  };
}
