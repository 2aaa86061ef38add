/**
 * The anti-escalation policy: pure rules over permissions, no I/O. Every admin write that grants,
 * or that acts on a person, asks here first; handlers gather the facts and audit the refusal.
 *
 * Permissions compared are standing ones: the actor's `admin_roles` (a person), `admin_scopes`
 * (a client) or everything (the operator token), never only what the presented token carries.
 */
import { ADMIN_ROLE, type AdminScope, isSubset, type Permissions } from './scopes.ts';

export type ActorKind = 'client' | 'account' | 'operator';

export interface PolicyActor {
  kind: ActorKind;
  id: string;
  permissions: Permissions;
}

export type RefusalCode = 'privilege_escalation' | 'target_outranks_actor' | 'self_lockout' | 'last_admin';

export interface Refusal {
  code: RefusalCode;
  message: string;
}

/** Granting a role or a client's admin_scopes: only permissions the actor holds itself. */
export function mayGrant(actor: PolicyActor, granted: Iterable<AdminScope>): Refusal | undefined {
  const missing = [...granted].filter((scope) => !actor.permissions.has(scope));
  if (missing.length === 0) return undefined;
  return { code: 'privilege_escalation', message: `you cannot grant permissions you do not hold: ${[...new Set(missing)].sort().join(' ')}` };
}

/**
 * Changing, disabling, deleting, resetting the factors or the password of, or ending the sessions of
 * a person: only one whose permissions are a subset of the actor's (helpdesk cannot touch an admin).
 */
export function mayManage(actor: PolicyActor, target: Permissions): Refusal | undefined {
  if (isSubset(target, actor.permissions)) return undefined;
  return { code: 'target_outranks_actor', message: 'this person holds permissions you do not; ask someone who holds them all' };
}

/** An actor may not disable or delete itself (it would lose the access needed to undo it). */
export function mayRemove(actor: PolicyActor, targetAccountId: string): Refusal | undefined {
  if (actor.kind === 'account' && actor.id === targetAccountId) return { code: 'self_lockout', message: 'you cannot disable or delete yourself' };
  return undefined;
}

/**
 * Whether a change leaves at least one enabled, non-deleted holder of `admin`. `holdersAfter` is
 * how many there would be once the change is made.
 */
export function keepsAnAdmin(holdersBefore: number, holdersAfter: number): Refusal | undefined {
  if (holdersAfter > 0 || holdersBefore === 0) return undefined;
  return { code: 'last_admin', message: `this would leave no enabled person holding the ${ADMIN_ROLE} role` };
}
