/**
 * Applies the bootstrap file at every start, idempotently. For each client and user we remember a
 * fingerprint of the entry we applied and of the record as we left it. On the next start:
 *  - missing from the store → created;
 *  - entry unchanged in the file → nothing to do;
 *  - entry changed, record untouched since we wrote it → updated;
 *  - entry changed but the record was changed by someone else too → left alone, with a warning;
 *  - deleted through the admin API (a tombstone keeps its id) → never re-created, with a warning.
 * So an operator's later change in the store is never silently overwritten.
 *
 * A plaintext `password` (refused in production) is judged by the password policy when the entry
 * creates the person or gives them a password they do not have yet: a failed rule stops the start
 * naming the user and the codes; `breached` only warns (the operator may be seeding a demo). An
 * entry applied before stops nothing, whatever today's rules say, so an upgrade always starts.
 */

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type Provider from 'oidc-provider';
import { TOMBSTONE_KIND } from '../accounts/admin-users.ts';
import type { HashParameters, PasswordHasher } from '../accounts/hashing.ts';
import { type AccountService, normaliseUsername } from '../accounts/service.ts';
import { CLIENT_TOMBSTONE } from '../oidc/client-registry.ts';
import type { ResourceRegistry } from '../oidc/resources.ts';
import type { PasswordPolicy } from '../passwords/types.ts';
import type { Logger } from '../platform/logger.ts';
import { createRoleRegistry } from '../rbac/roles.ts';
import type { AccountRecord, ModelStore, Store } from '../storage/port.ts';
import { checkBootstrapHash } from './hash-parameters.ts';
import { warnAboutOrphans } from './orphans.ts';
import { type BootstrapFile, type BootstrapUser, bootstrapSchema } from './schema.ts';

interface Applied {
  entry: string;
  record: string;
  /** Fingerprint of the file's `password_hash` when it was applied (a sign-in may re-hash it since). */
  passwordHash?: string;
}

const fingerprint = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('base64url');

/**
 * What of a stored user bootstrap compares with what it left. The password is represented by when
 * it last changed, not by its hash: a sign-in re-hashing a cheaper hash (accounts/service.ts) is no
 * operator edit, while a password set by any other means moves `passwordChangedAt`.
 */
function userState(account: AccountRecord) {
  return {
    username: account.username,
    email: account.email,
    name: account.name,
    roles: account.roles,
    passwordChangedAt: account.passwordChangedAt,
    adminRoles: account.adminRoles ?? [],
  };
}

/**
 * The states earlier releases recorded, so an upgrade is no edit: before 2026-12 with the hash,
 * then without admin roles (before the admin API). Those releases had no admin roles, so a record
 * that holds some now was changed since (through the admin API): it never matches a legacy state.
 */
function legacyUserStates(account: AccountRecord) {
  if (account.adminRoles?.length) return [];
  const { username, email, name, roles } = account;
  return [
    { username, email, name, roles, passwordHash: account.passwordHash },
    { username, email, name, roles, passwordChangedAt: account.passwordChangedAt },
  ];
}

export async function readBootstrapFile(path: string): Promise<BootstrapFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`BOOTSTRAP_FILE: cannot read ${path}: ${(error as Error).message}`);
  }
  const parsed = bootstrapSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`BOOTSTRAP_FILE: ${issue?.path.join('.') || 'file'}: ${issue?.message}`);
  }
  return parsed.data;
}

export interface BootstrapDeps {
  store: Store;
  /** The Client model as oidc-provider's adapter sees it: secrets sealed on write (oidc/at-rest.ts). */
  clients: ModelStore;
  provider: Provider;
  accounts: AccountService;
  resources: ResourceRegistry;
  logger: Logger;
  production: boolean;
  /** ARGON2_*: bootstrap hashes are compared with them (hash-parameters.ts). */
  hashParameters?: HashParameters | undefined;
  /** Judges plaintext passwords (absent: taken as given). */
  passwordPolicy?: Pick<PasswordPolicy, 'check'> | undefined;
  /** Tells whether an existing person's password already is the entry's (then it is not set again). */
  hasher?: Pick<PasswordHasher, 'verify'> | undefined;
}

/** The policy's verdict on a file's plaintext password: refuse the start, or warn of a breach. */
async function judgePassword(user: BootstrapUser, username: string, deps: BootstrapDeps): Promise<void> {
  if (!user.password || !deps.passwordPolicy) return;
  const violations = await deps.passwordPolicy.check(user.password, { username, email: user.email, name: user.name });
  const refused = violations.filter((violation) => violation.code !== 'breached');
  if (refused.length) {
    throw new Error(`BOOTSTRAP_FILE: user ${username}: the password fails the password policy (${refused.map((v) => v.code).join(', ')})`);
  }
  if (violations.length) deps.logger.warn({ username }, 'bootstrap: this user’s password appeared in a data breach; change it');
}

export async function applyBootstrap(file: BootstrapFile, deps: BootstrapDeps): Promise<void> {
  const { store, logger, clients } = deps;
  if (file.resources.length) await deps.resources.replaceAll(file.resources);

  for (const entry of file.clients) {
    const id = entry.client_id;
    try {
      await deps.provider.Client.validate(entry);
    } catch (error) {
      throw new Error(`BOOTSTRAP_FILE: client ${id}: ${(error as { error_description?: string }).error_description ?? (error as Error).message}`);
    }
    // Deleted through the admin API: reserved until purge, and never brought back by the file.
    if (await store.records.get(CLIENT_TOMBSTONE, id)) {
      logger.warn({ client_id: id }, 'bootstrap: client was deleted through the admin API; file entry not applied (purge it, or remove it from the file)');
      continue;
    }
    const applied = await store.records.get<Applied>('bootstrap-client', id);
    const current = await clients.find(id);
    const entryPrint = fingerprint(entry);
    if (current && applied?.entry === entryPrint) continue;
    if (current && applied && applied.record !== fingerprint(current)) {
      logger.warn({ client_id: id }, 'bootstrap: client changed in the store since it was applied; file entry not applied');
      continue;
    }
    if (current && !applied) {
      logger.warn({ client_id: id }, 'bootstrap: client exists and was not created by bootstrap; left unchanged');
      continue;
    }
    await clients.upsert(id, entry);
    await store.records.put<Applied>('bootstrap-client', id, { entry: entryPrint, record: fingerprint(entry) });
    logger.info({ client_id: id }, current ? 'bootstrap: client updated' : 'bootstrap: client created');
  }

  for (const user of file.users) await applyUser(user, deps);
  await warnAboutUnknownRoles(file, deps);
  await warnAboutOrphans(file, store, logger);
}

/** A role name no role answers to grants nothing; a typo in the file should not pass unseen. */
async function warnAboutUnknownRoles(file: BootstrapFile, deps: BootstrapDeps): Promise<void> {
  const roles = createRoleRegistry(deps.store.records);
  for (const user of file.users) {
    for (const name of user.admin_roles ?? []) {
      if (!(await roles.get(name))) {
        deps.logger.warn({ username: normaliseUsername(user.username), admin_role: name }, 'bootstrap: unknown admin role; it grants nothing');
      }
    }
  }
}

async function applyUser(user: BootstrapUser, deps: BootstrapDeps): Promise<void> {
  const { store, accounts, logger } = deps;
  const username = normaliseUsername(user.username);
  if (deps.production && user.password) {
    throw new Error(`BOOTSTRAP_FILE: user ${username}: plaintext passwords are refused in production; use password_hash`);
  }
  const applied = await store.records.get<Applied>('bootstrap-user', username);
  const existing = await accounts.findByUsername(username);
  // A costlier hash is refused always; a cheaper one warned at each start while the account carries it.
  if (user.password_hash && deps.hashParameters) {
    const carried = !existing || existing.passwordHash === user.password_hash;
    checkBootstrapHash(username, user.password_hash, deps.hashParameters, carried ? logger : undefined);
  }
  const entryPrint = fingerprint(user);
  if (existing && applied?.entry === entryPrint) return;
  const untouched = (record: AccountRecord) => [userState(record), ...legacyUserStates(record)].some((state) => applied?.record === fingerprint(state));
  if (existing && !untouched(existing)) {
    logger.warn({ username }, 'bootstrap: user changed since it was applied (or not created by bootstrap); file entry not applied');
    return;
  }
  let account: AccountRecord;
  // An erased person's id is never given out again (accounts/admin-users.ts leaves a tombstone).
  if (!existing && user.id && (await store.records.get(TOMBSTONE_KIND, user.id))) {
    logger.warn({ id: user.id }, 'bootstrap: user was erased through the admin API; file entry not applied (remove it from the file)');
    return;
  }
  // The entry's password is new to the person: on creation, or when it is not their password yet.
  const newPassword =
    user.password !== undefined && (!existing || !(await deps.hasher?.verify(existing.passwordHash, user.password).catch(() => undefined))?.ok);
  if (newPassword) await judgePassword(user, username, deps);
  if (!existing) {
    account = await accounts.create({
      id: user.id,
      username,
      email: user.email,
      // The operator wrote the address: verified unless the entry says otherwise (reset links go only to verified ones).
      emailVerified: user.email_verified ?? true,
      name: user.name,
      roles: user.roles,
      adminRoles: user.admin_roles,
      password: user.password,
      passwordHash: user.password_hash,
    });
    logger.info({ username }, 'bootstrap: user created');
  } else {
    await store.accounts.update(existing.id, {
      email: user.email?.toLowerCase(),
      name: user.name,
      roles: user.roles,
      // Absent from the entry: none. (Changing them does not end sessions: every admin request
      // re-checks the person's roles, and tokens are issued within today's roles only.)
      adminRoles: user.admin_roles?.length ? [...new Set(user.admin_roles)] : undefined,
      // A new hash in the file is a password reset: older refresh-token families are refused from now on.
      // The same hash as last applied is no reset, even where a sign-in has re-hashed it since.
      ...(user.password_hash && fingerprint(user.password_hash) !== (applied?.passwordHash ?? fingerprint(existing.passwordHash))
        ? { passwordHash: user.password_hash, passwordChangedAt: new Date() }
        : {}),
      updatedAt: new Date(),
    });
    if (user.password && newPassword) await accounts.setPassword(existing.id, user.password);
    account = (await store.accounts.findById(existing.id)) as AccountRecord;
    logger.info({ username }, 'bootstrap: user updated');
  }
  await store.records.put<Applied>('bootstrap-user', username, {
    entry: entryPrint,
    record: fingerprint(userState(account)),
    ...(user.password_hash ? { passwordHash: fingerprint(user.password_hash) } : {}),
  });
}
