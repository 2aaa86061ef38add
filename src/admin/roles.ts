/**
 * The roles resource of the admin API: management roles (rbac/roles.ts). Built-in roles are listed
 * and readable but immutable. Anti-escalation: a role an actor writes may carry only permissions
 * the actor holds (mayGrant), and a role that already carries more than the actor holds can be
 * neither changed nor deleted by it (mayManage), so a weaker actor cannot strip a stronger role.
 *
 * A role's permissions are read at each admin request (auth.ts re-checks standing permissions),
 * so a change reaches every holder at their next request, without a new token.
 */
import type { Context } from 'koa';
import { z } from 'zod';
import type { AuditBus } from '../audit/bus.ts';
import { mayGrant, mayManage } from '../rbac/policy.ts';
import { isBuiltInRole, type RoleRegistry } from '../rbac/roles.ts';
import { ADMIN_SCOPES, type AdminRole, type AdminScope, permissionSet } from '../rbac/scopes.ts';
import { parseBody, parseQuery } from '../security/body.ts';
import { AppError } from '../security/errors.ts';
import type { AccountRecord } from '../storage/port.ts';
import { actorOf } from './actor.ts';
import { auditAdmin, refuse } from './audit.ts';
import { pageQuery, paginate } from './pagination.ts';
import { route } from './routes.ts';

export const ROLE_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

const permissions = z.array(z.enum(ADMIN_SCOPES)).max(ADMIN_SCOPES.length * 2);
const description = z.string().trim().max(500);
const createSchema = z.object({ name: z.string().regex(ROLE_NAME), description: description.default(''), permissions }).strict();
const updateSchema = z.object({ description: description.optional(), permissions: permissions.optional() }).strict();
const listQuery = z.object(pageQuery).strict();

export interface RoleRouteDeps {
  roles: RoleRegistry;
  /** Every account, to find holders of a role before it is deleted. */
  listAccounts: () => Promise<AccountRecord[]>;
  audit: AuditBus;
  now?: () => Date;
}

const view = (role: AdminRole) => ({ name: role.name, description: role.description, permissions: role.permissions, built_in: role.builtIn === true });
/** In the order ADMIN_SCOPES lists them, each once. */
const normalised = (scopes: readonly AdminScope[]): AdminScope[] =>
  [...permissionSet(scopes)].sort((a, b) => ADMIN_SCOPES.indexOf(a) - ADMIN_SCOPES.indexOf(b));

export function roleRoutes(deps: RoleRouteDeps) {
  const { roles, audit } = deps;
  const now = deps.now ?? (() => new Date());
  const nameOf = (ctx: Context) => String((ctx.params as { name?: string }).name ?? '');
  const target = (name: string) => ({ kind: 'role' as const, id: name });
  const notFound = () => new AppError(404, 'role_not_found', 'no such role');

  /** A stored role the actor may change: not built in, existing, not outranking the actor. */
  async function writable(ctx: Context, name: string): Promise<AdminRole> {
    if (isBuiltInRole(name)) throw new AppError(403, 'builtin_role', 'built-in roles cannot be changed or deleted');
    const role = ROLE_NAME.test(name) ? await roles.get(name) : undefined;
    if (!role) throw notFound();
    const outranked = mayManage(actorOf(ctx), permissionSet(role.permissions));
    if (outranked) refuse(audit, ctx, outranked, target(name));
    return role;
  }

  function mayGrantAll(ctx: Context, name: string, granted: readonly AdminScope[]) {
    const refusal = mayGrant(actorOf(ctx), granted);
    if (refusal) refuse(audit, ctx, refusal, target(name));
  }

  return [
    route('get', '/roles', 'roles:read', async (ctx) => {
      const query = parseQuery(ctx, listQuery);
      const page = paginate(await roles.list(), (role) => role.name, query);
      ctx.body = { items: page.items.map(view), next_cursor: page.next_cursor };
    }),
    route('post', '/roles', 'roles:write', async (ctx) => {
      const body = await parseBody(ctx, createSchema);
      if (await roles.get(body.name)) throw new AppError(409, 'role_exists', `a role named ${body.name} exists`);
      const granted = normalised(body.permissions);
      mayGrantAll(ctx, body.name, granted);
      const at = now().toISOString();
      await roles.put({ name: body.name, description: body.description, permissions: granted, createdAt: at, updatedAt: at });
      auditAdmin(audit, ctx, { resource: 'roles', verb: 'create', target: target(body.name), fields: Object.keys(body) });
      ctx.status = 201;
      ctx.body = view({ name: body.name, description: body.description, permissions: granted });
    }),
    route('get', '/roles/:name', 'roles:read', async (ctx) => {
      const name = nameOf(ctx);
      const role = ROLE_NAME.test(name) ? await roles.get(name) : undefined;
      if (!role) throw notFound();
      ctx.body = view(role);
    }),
    route('patch', '/roles/:name', 'roles:write', async (ctx) => {
      const name = nameOf(ctx);
      const current = await writable(ctx, name);
      const patch = await parseBody(ctx, updateSchema);
      const next = {
        name,
        description: patch.description ?? current.description,
        permissions: patch.permissions ? normalised(patch.permissions) : current.permissions,
      };
      mayGrantAll(ctx, name, next.permissions);
      await roles.put({ ...next, createdAt: now().toISOString(), updatedAt: now().toISOString() });
      const fields = (['description', 'permissions'] as const).filter((field) => JSON.stringify(current[field]) !== JSON.stringify(next[field]));
      auditAdmin(audit, ctx, { resource: 'roles', verb: 'update', target: target(name), fields });
      ctx.body = view(next);
    }),
    route('delete', '/roles/:name', 'roles:write', async (ctx) => {
      const name = nameOf(ctx);
      await writable(ctx, name);
      // Soft-deleted people can never act again; disabled ones can be enabled, so they count.
      const holders = (await deps.listAccounts()).filter((account) => !account.deletedAt && account.adminRoles?.includes(name));
      if (holders.length) {
        throw new AppError(409, 'role_in_use', `${holders.length} ${holders.length === 1 ? 'person holds' : 'people hold'} this role; take it from them first`);
      }
      await roles.delete(name);
      auditAdmin(audit, ctx, { resource: 'roles', verb: 'delete', target: target(name) });
      ctx.status = 204;
    }),
  ];
}
