/**
 * The clients resource of the admin API. Validation and storage live in oidc/client-registry.ts;
 * here: the route table, the anti-escalation checks and the audit.
 *
 * Anti-escalation: granting `admin_scopes` needs every scope granted (mayGrant). Changing,
 * deleting or rotating the secret of a client whose admin_scopes outrank the actor is refused too
 * (mayManage): a new secret or redirect of a stronger client would hand its power to the actor.
 */
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import type { AuditBus } from '../audit/bus.ts';
import { ClientError, type ClientErrorCode, type ClientRegistry } from '../oidc/client-registry.ts';
import { mayGrant, mayManage } from '../rbac/policy.ts';
import { permissionSet } from '../rbac/scopes.ts';
import { parseBody, parseQuery } from '../security/body.ts';
import { AppError } from '../security/errors.ts';
import { actorOf } from './actor.ts';
import { auditAdmin, refuse } from './audit.ts';
import { pageQuery, paginate } from './pagination.ts';
import { route } from './routes.ts';

export interface ClientRouteDeps {
  clients: ClientRegistry;
  audit: AuditBus;
}

const metadataBody = z.record(z.string(), z.unknown());
const listQuery = z.object(pageQuery).strict();
const deleteQuery = z.object({ purge: z.enum(['true', 'false']).optional() }).strict();
const scopesOf = (metadata: Record<string, unknown>) =>
  permissionSet(Array.isArray(metadata.admin_scopes) ? metadata.admin_scopes.filter((s) => typeof s === 'string') : []);

const STATUS: Record<ClientErrorCode, number> = {
  invalid_client_metadata: 400,
  client_not_found: 404,
  client_exists: 409,
  client_not_confidential: 409,
};

/** The registry's refusals as HTTP answers. */
const answering =
  (handler: Middleware): Middleware =>
  async (ctx, next) => {
    try {
      await handler(ctx, next);
    } catch (error) {
      if (error instanceof ClientError) throw new AppError(STATUS[error.code], error.code, error.message);
      throw error;
    }
  };

export function clientRoutes(deps: ClientRouteDeps) {
  const { clients, audit } = deps;
  const idOf = (ctx: Context) => String((ctx.params as { id?: string }).id ?? '');
  const target = (id: string) => ({ kind: 'client' as const, id });

  /** The client a write acts on: not internal, existing, and not outranking the actor. */
  async function writable(ctx: Context, id: string) {
    if (clients.isInternal(id)) throw new AppError(403, 'internal_client', 'this client belongs to Portcullis itself and cannot be changed');
    const current = await clients.get(id);
    const outranked = mayManage(actorOf(ctx), scopesOf(current));
    if (outranked) refuse(audit, ctx, outranked, target(id));
    return current;
  }

  function mayGrantScopes(ctx: Context, id: string, granted: Iterable<string>) {
    const refusal = mayGrant(actorOf(ctx), permissionSet(granted));
    if (refusal) refuse(audit, ctx, refusal, target(id));
  }

  return [
    route(
      'get',
      '/clients',
      'clients:read',
      answering(async (ctx) => {
        ctx.body = paginate(await clients.list(), (client) => client.client_id, parseQuery(ctx, listQuery));
      }),
    ),
    route(
      'post',
      '/clients',
      'clients:write',
      answering(async (ctx) => {
        const body = await parseBody(ctx, metadataBody);
        mayGrantScopes(ctx, typeof body.client_id === 'string' ? body.client_id : '(new)', scopesOf(body));
        const created = await clients.create(body);
        auditAdmin(audit, ctx, { resource: 'clients', verb: 'create', target: target(created.view.client_id), fields: created.fields });
        ctx.status = 201;
        ctx.body = { ...created.view, ...(created.secret ? { client_secret: created.secret } : {}), client_secret_expires_at: 0 };
      }),
    ),
    route(
      'get',
      '/clients/:id',
      'clients:read',
      answering(async (ctx) => {
        ctx.body = await clients.get(idOf(ctx));
      }),
    ),
    route(
      'patch',
      '/clients/:id',
      'clients:write',
      answering(async (ctx) => {
        const id = idOf(ctx);
        const current = await writable(ctx, id);
        const patch = await parseBody(ctx, metadataBody);
        const held = scopesOf(current);
        mayGrantScopes(
          ctx,
          id,
          [...scopesOf(patch)].filter((scope) => !held.has(scope)),
        );
        const updated = await clients.update(id, patch);
        auditAdmin(audit, ctx, { resource: 'clients', verb: 'update', target: target(id), fields: updated.fields });
        ctx.body = { ...updated.view, ...(updated.secret ? { client_secret: updated.secret, client_secret_expires_at: 0 } : {}) };
      }),
    ),
    route(
      'delete',
      '/clients/:id',
      'clients:write',
      answering(async (ctx) => {
        const id = idOf(ctx);
        const purge = parseQuery(ctx, deleteQuery).purge === 'true';
        if (clients.isInternal(id)) throw new AppError(403, 'internal_client', 'this client belongs to Portcullis itself and cannot be deleted');
        // A deleted client (tombstone only) can still be purged; anything else must be writable.
        const live = await clients.get(id).catch((error) => {
          if (error instanceof ClientError && error.code === 'client_not_found' && purge) return undefined;
          throw error;
        });
        if (live) await writable(ctx, id);
        await clients.remove(id, purge);
        auditAdmin(audit, ctx, { resource: 'clients', verb: 'delete', target: target(id), detail: { purge } });
        ctx.status = 204;
      }),
    ),
    route(
      'post',
      '/clients/:id/secret',
      'clients:write',
      answering(async (ctx) => {
        const id = idOf(ctx);
        await writable(ctx, id);
        if (ctx.request.length) await parseBody(ctx, z.object({}).strict());
        const secret = await clients.rotateSecret(id);
        auditAdmin(audit, ctx, { resource: 'clients', verb: 'secret_rotate', target: target(id), fields: ['client_secret'] });
        ctx.body = { client_id: id, client_secret: secret, client_secret_expires_at: 0 };
      }),
    ),
  ];
}
