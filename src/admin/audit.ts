/**
 * Audit events of admin writes: `admin.<resource>.<verb>`, naming the actor, the target, the
 * person concerned (`subject`, stored as the event's accountId) and the names of the fields that
 * changed. Values are never recorded, so secrets and hashes cannot leak into the trail. Request id
 * and client IP are added by the bus from the request context.
 */
import type { Context } from 'koa';
import type { AuditBus } from '../audit/bus.ts';
import type { AuditEventType } from '../audit/catalogue.ts';
import type { RefusalCode } from '../rbac/policy.ts';
import { AppError } from '../security/errors.ts';
import { type Actor, actorOf, actorRef } from './actor.ts';

export type TargetKind = 'user' | 'client' | 'resource' | 'role' | 'key';

/**
 * The resource and verb pairs the catalogue lists as `admin.<resource>.<verb>`: a write the
 * catalogue does not know is a type error, so every admin event has a meaning and an allow-list.
 */
type AdminWrite = AuditEventType extends infer T ? (T extends `admin.${infer R}.${infer V}` ? { resource: R; verb: V } : never) : never;

export type AdminChange = AdminWrite & {
  target?: { kind: TargetKind; id: string } | undefined;
  /** The account concerned, when there is one. */
  subject?: string | undefined;
  /** Names of the fields written (never their values). */
  fields?: readonly string[] | undefined;
  detail?: Record<string, unknown> | undefined;
};

export function auditAdmin(audit: AuditBus, ctx: Context, change: AdminChange): void {
  const actor: Actor = actorOf(ctx);
  audit.emit({
    type: `admin.${change.resource}.${change.verb}`,
    accountId: change.subject,
    clientId: actor.clientId,
    detail: {
      actor: actorRef(actor),
      ...(change.target ? { target: change.target } : {}),
      ...(change.fields ? { fields: [...change.fields].sort() } : {}),
      ...change.detail,
    },
  });
}

/** A refusal by the anti-escalation policy: audited, then answered 403 with its stable code. */
export function refuse(audit: AuditBus, ctx: Context, refusal: { code: RefusalCode; message: string }, target: NonNullable<AdminChange['target']>): never {
  const actor = actorOf(ctx);
  audit.emit({
    type: 'admin.refused',
    clientId: actor.clientId,
    ...(target.kind === 'user' ? { accountId: target.id } : {}),
    detail: { status: 403, error: refusal.code, method: ctx.method, path: ctx.path, actor: actorRef(actor), target },
  });
  throw new AppError(403, refusal.code, refusal.message);
}
