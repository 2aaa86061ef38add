/**
 * Who is calling the admin API, as the auth check established it (auth.ts): a client (client
 * credentials), a person (code or device flow) or the break-glass operator token. Handlers read
 * it from `ctx.state.actor`; the policy (rbac/policy.ts) compares its standing permissions.
 */
import type { Context } from 'koa';
import type { PolicyActor } from '../rbac/policy.ts';
import type { AdminScope } from '../rbac/scopes.ts';

export interface Actor extends PolicyActor {
  /** What the presented token carries, already cut down to the standing permissions. */
  scopes: ReadonlySet<AdminScope>;
  /** The client the token was issued to (absent for the operator token). */
  clientId?: string;
}

export function actorOf(ctx: Context): Actor {
  const actor = (ctx.state as { actor?: Actor }).actor;
  // Every route runs the auth check first (router.ts); reaching here without it is a wiring bug.
  if (!actor) throw new Error('admin route reached without an authenticated actor');
  return actor;
}

/** How audit events name the actor. */
export const actorRef = (actor: Actor) => ({ kind: actor.kind, id: actor.id });
