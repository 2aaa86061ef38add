/**
 * Managing people through the admin API: create, change, disable, delete, erase, set a password,
 * reset second factors, end sessions, unlock. Every operation on a person asks the
 * anti-escalation policy (rbac/policy.ts) first with the actor's standing permissions; a refusal
 * is thrown as `PolicyRefused` for the HTTP layer to audit and answer 403.
 *
 * What ends with a change: disabling, deleting or erasing a person ends every session and grant
 * of theirs (back-channel logout included, sessions/service.ts); their refresh tokens then find
 * no account (oidc/account.ts) and are refused. Changing `adminRoles` revokes the grants that
 * hold the admin resource, so a token minted under the old roles cannot be refreshed.
 *
 * A plaintext `password` (create, set-password) goes through the password policy
 * (passwords/policy.ts) after the anti-escalation check, so only someone allowed to manage the
 * person learns whether it was one of theirs; a refusal is 400 `password_policy` with every
 * violation, nothing written. A `password_hash` cannot be judged and is taken as given (the
 * operator vouches for it); either way the previous hash joins the person's history.
 */

import { randomBytes } from 'node:crypto';
import { DomainError } from '../platform/errors.ts';
import { keepsAnAdmin, mayGrant, mayManage, mayRemove, type PolicyActor, type Refusal } from '../rbac/policy.ts';
import type { RoleRegistry } from '../rbac/roles.ts';
import { ADMIN_ROLE } from '../rbac/scopes.ts';
import type { AccountRecord, AccountRepository, AuditRepository, RecordRepository } from '../storage/port.ts';
import { DuplicateError } from '../storage/port.ts';
import type { PasswordHasher } from './hashing.ts';
import { historyAfterChange } from './password-history.ts';
import { type AccountService, type NewAccount, normaliseUsername } from './service.ts';

export class PolicyRefused extends Error {
  override name = 'PolicyRefused';
  readonly refusal: Refusal;
  constructor(refusal: Refusal) {
    super(refusal.message);
    this.refusal = refusal;
  }
}

/** What the person is told by mail (mail/ builds the messages); the default only logs. */
export type NoticeKind = 'mfa_reset' | 'password_set' | 'email_changed';
/** `to` overrides the address: an email change is told to the old one. */
export type Notify = (account: AccountRecord, kind: NoticeKind, extra?: { to?: string | undefined }) => Promise<void> | void;

export interface AdminUserDeps {
  repo: AccountRepository;
  accounts: AccountService;
  hasher: PasswordHasher;
  /** Judges plaintext passwords; its `rules.history` is how many the person's history keeps. */
  /**
   * The password policy (passwords/policy.ts), by the shape this module needs: passwords/ builds on
   * accounts/, so accounts/ names no type of its.
   */
  passwordPolicy: {
    assert(
      candidate: string,
      owner: Pick<AccountRecord, 'username'> & Partial<Pick<AccountRecord, 'email' | 'name' | 'passwordHash' | 'passwordHistory'>>,
    ): Promise<void>;
    readonly rules: { history: number };
  };
  roles: RoleRegistry;
  /** Removes every second factor of the person (mfa/service.ts `remove`). */
  removeFactors(accountId: string): Promise<void>;
  /** Erasure: queued mail and live links (reset, email change) about the person, which hold their address. */
  forgetMail(accountId: string): Promise<void>;
  /** Ends every session and grant of the person, back-channel logout included. */
  endEverything(accountId: string): Promise<void>;
  /** Revokes the person's grants that hold the admin resource. */
  revokeAdminGrants(accountId: string): Promise<void>;
  /** Clears the person's lockout counters and hard lock. */
  unlock(account: AccountRecord): Promise<void>;
  audit: { repo: AuditRepository; flush(): Promise<void> };
  /** Tombstones of erased people: their `sub` is never given out again. */
  records: RecordRepository;
  notify: Notify;
  /** Sends an invitation (a reset link, passwords/reset.ts); absent when PASSWORD_RESET=off. */
  invite?: ((account: AccountRecord) => Promise<void>) | undefined;
  now: () => number;
}

/** What an administrator gives to create a person: an account, with `must_change` by its API name. */
export type CreateUser = Omit<NewAccount, 'id' | 'mustChangePassword'> & { mustChange?: boolean | undefined; invite?: boolean | undefined };

/** RFC 7396: a key present with `null` removes the value; an absent key leaves it. */
export interface UserPatch {
  email?: string | null | undefined;
  emailVerified?: boolean | undefined;
  name?: string | null | undefined;
  roles?: string[] | undefined;
  adminRoles?: string[] | undefined;
  disabled?: boolean | undefined;
}

export const TOMBSTONE_KIND = 'account-tombstone';

const notFound = () => new DomainError('user_not_found', 'no such user');

function asConflict(error: unknown): never {
  if (error instanceof DuplicateError) {
    throw error.field === 'email' ? new DomainError('email_taken', 'that email is in use') : new DomainError('username_taken', 'that username is taken');
  }
  throw error;
}

const holdsAdmin = (account: AccountRecord) =>
  account.status === 'active' && account.deletedAt === undefined && (account.adminRoles ?? []).includes(ADMIN_ROLE);

export function createAdminUsers(deps: AdminUserDeps) {
  const check = (refusal: Refusal | undefined) => {
    if (refusal) throw new PolicyRefused(refusal);
  };

  async function knownRoles(names: readonly string[]): Promise<void> {
    for (const name of names) {
      if (!(await deps.roles.get(name))) throw new DomainError('unknown_role', `no admin role named ${name}`);
    }
  }

  /** The person, unless deleted (or `includeDeleted`, for erasure of a soft-deleted one). */
  async function find(id: string, includeDeleted = false): Promise<AccountRecord> {
    const account = await deps.repo.findById(id);
    if (!account || (account.deletedAt !== undefined && !includeDeleted)) throw notFound();
    return account;
  }

  async function manage(actor: PolicyActor, target: AccountRecord): Promise<void> {
    check(mayManage(actor, await deps.roles.permissionsOf(target.adminRoles ?? [])));
  }

  /** The last-admin rule, when `target` would stop being an enabled holder of `admin`. */
  async function keepAdmin(target: AccountRecord, stillHolds: boolean): Promise<void> {
    if (!holdsAdmin(target) || stillHolds) return;
    const before = await deps.repo.countHolders(ADMIN_ROLE);
    check(keepsAnAdmin(before, before - 1));
  }

  const stamp = () => new Date(deps.now());

  return {
    find,

    async search(query: Parameters<AccountRepository['search']>[0]) {
      return deps.repo.search(query);
    },

    async create(actor: PolicyActor, input: CreateUser): Promise<AccountRecord> {
      const adminRoles = [...new Set(input.adminRoles ?? [])];
      await knownRoles(adminRoles);
      check(mayGrant(actor, await deps.roles.permissionsOf(adminRoles)));
      if (input.invite) {
        if (input.password !== undefined || input.passwordHash !== undefined) {
          throw new DomainError('invite_with_password', 'an invited person chooses their own password: give invite or a password, not both');
        }
        if (!input.email) throw new DomainError('invite_needs_email', 'an invitation is sent by mail: give an email');
        if (!deps.invite) throw new DomainError('invite_unavailable', 'invitations are reset links, and PASSWORD_RESET is off');
      } else if (input.password === undefined && input.passwordHash === undefined) {
        throw new DomainError('password_required', 'give a password or a password_hash');
      }
      if (input.password !== undefined) {
        await deps.passwordPolicy.assert(input.password, { username: normaliseUsername(input.username), email: input.email, name: input.name });
      }
      let account: AccountRecord;
      try {
        account = await deps.accounts.create({
          username: input.username,
          email: input.email,
          // An address an administrator enters counts as verified unless they say otherwise.
          emailVerified: input.emailVerified ?? (input.email ? true : undefined),
          name: input.name,
          roles: input.roles,
          adminRoles,
          password: input.password,
          // Invited: a real hash of 256 random bits nobody keeps, so a sign-in attempt costs what any other does.
          passwordHash: input.invite ? await deps.hasher.hash(randomBytes(32).toString('base64url')) : input.passwordHash,
          mustChangePassword: input.mustChange,
        });
      } catch (error) {
        return asConflict(error);
      }
      if (input.invite) await deps.invite?.(account);
      return account;
    },

    /** Resolves with the record after the change and the names of the fields written. */
    async update(actor: PolicyActor, id: string, patch: UserPatch): Promise<{ account: AccountRecord; fields: string[] }> {
      const target = await find(id);
      await manage(actor, target);
      const adminRoles = patch.adminRoles === undefined ? undefined : [...new Set(patch.adminRoles)];
      if (adminRoles) {
        await knownRoles(adminRoles);
        check(mayGrant(actor, await deps.roles.permissionsOf(adminRoles)));
      }
      if (patch.disabled === true) check(mayRemove(actor, id));
      const disabled = patch.disabled ?? target.status === 'disabled';
      await keepAdmin(target, !disabled && (adminRoles ?? target.adminRoles ?? []).includes(ADMIN_ROLE));

      const write: Parameters<AccountRepository['update']>[1] = {};
      const fields: string[] = [];
      if (patch.email !== undefined) {
        const email = patch.email === null ? undefined : patch.email.trim().toLowerCase();
        write.email = email;
        fields.push('email');
        // A new address is not verified unless the caller says so; a removed one has no flag.
        if (email === undefined) write.emailVerified = undefined;
        else if (email !== target.email && patch.emailVerified === undefined) write.emailVerified = false;
      }
      if (patch.emailVerified !== undefined) {
        write.emailVerified = patch.emailVerified;
        fields.push('email_verified');
      }
      if (patch.name !== undefined) {
        write.name = patch.name === null ? undefined : patch.name;
        fields.push('name');
      }
      if (patch.roles !== undefined) {
        write.roles = [...new Set(patch.roles)];
        fields.push('roles');
      }
      if (adminRoles !== undefined) {
        write.adminRoles = adminRoles;
        fields.push('admin_roles');
      }
      if (patch.disabled !== undefined) {
        write.status = patch.disabled ? 'disabled' : 'active';
        fields.push('disabled');
      }
      if (fields.length === 0) return { account: target, fields };
      write.updatedAt = stamp();
      let account: AccountRecord | undefined;
      try {
        account = await deps.repo.update(id, write);
      } catch (error) {
        asConflict(error);
      }
      if (!account) throw notFound();
      // Whoever controls the old address is told it no longer receives this account's mail.
      if (target.email && target.email !== account.email) await deps.notify(target, 'email_changed', { to: target.email });
      if (target.status === 'active' && account.status === 'disabled') await deps.endEverything(id);
      else if (adminRoles !== undefined && !sameSet(adminRoles, target.adminRoles ?? [])) await deps.revokeAdminGrants(id);
      return { account, fields };
    },

    /** Soft delete, or (`purge`) erasure of the person's data for good. */
    async remove(actor: PolicyActor, id: string, purge: boolean): Promise<void> {
      const target = await find(id, purge);
      await manage(actor, target);
      check(mayRemove(actor, id));
      await keepAdmin(target, false);
      if (!purge) {
        const at = stamp();
        await deps.repo.update(id, { deletedAt: at, updatedAt: at });
        await deps.endEverything(id);
        return;
      }
      await deps.endEverything(id);
      await deps.removeFactors(id);
      await deps.forgetMail(id);
      const at = stamp();
      // The id alone stays, so `sub` is never given out again; everything else goes.
      await deps.records.put(TOMBSTONE_KIND, id, { id, deletedAt: (target.deletedAt ?? at).toISOString(), purgedAt: at.toISOString() });
      await deps.repo.purge(id);
      // The bootstrap file's memory of the entry is keyed by username: personal data too.
      await deps.records.delete('bootstrap-user', target.username);
      // Events about the person still in flight land first, then lose their personal fields.
      await deps.audit.flush();
      await deps.audit.repo.scrubAccount(id);
    },

    async setPassword(
      actor: PolicyActor,
      id: string,
      input: { password?: string | undefined; passwordHash?: string | undefined; mustChange?: boolean | undefined },
    ): Promise<void> {
      const target = await find(id);
      await manage(actor, target);
      if (input.password === undefined && input.passwordHash === undefined) throw new DomainError('password_required', 'give a password or a password_hash');
      if (input.password !== undefined) await deps.passwordPolicy.assert(input.password, target);
      const at = stamp();
      const passwordHash = input.passwordHash ?? (await deps.hasher.hash(input.password as string));
      // passwordChangedAt also ends every refresh-token family begun before now (oidc/refresh).
      await deps.repo.update(id, {
        passwordHash,
        passwordHistory: historyAfterChange(target, deps.passwordPolicy.rules.history),
        passwordChangedAt: at,
        updatedAt: at,
        mustChangePassword: input.mustChange === true ? true : undefined,
        passwordCompromisedAt: undefined,
      });
      // Whoever knew the old password may hold a session: an admin-set password ends them all.
      await deps.endEverything(id);
      await deps.notify(target, 'password_set');
    },

    async resetMfa(actor: PolicyActor, id: string): Promise<void> {
      const target = await find(id);
      await manage(actor, target);
      await deps.removeFactors(id);
      await deps.notify(target, 'mfa_reset');
    },

    async endSessions(actor: PolicyActor, id: string): Promise<void> {
      const target = await find(id);
      await manage(actor, target);
      await deps.endEverything(id);
    },

    async unlock(id: string): Promise<AccountRecord> {
      const target = await find(id);
      await deps.unlock(target);
      return target;
    },
  };
}

export type AdminUsers = ReturnType<typeof createAdminUsers>;

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((item) => b.includes(item));
