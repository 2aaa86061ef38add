/**
 * /admin/v1/users: the HTTP edge of accounts/admin-users.ts. Each handler parses the request
 * with a strict schema, validates the id before any lookup (a bogus one is a 404 like an unknown
 * one), calls the domain with the actor, and audits the write by field name only. A refusal of
 * the anti-escalation policy is audited and answered 403 through refuse().
 *
 *   GET    /users                 users:read      list / search
 *   POST   /users                 users:write     create
 *   GET    /users/:id             users:read      read
 *   PATCH  /users/:id             users:write     change (RFC 7396), disable / enable
 *   DELETE /users/:id             users:write     soft delete; ?purge=true erases
 *   POST   /users/:id/password    users:write     set the password
 *   DELETE /users/:id/mfa         users:mfa       remove every second factor
 *   GET    /users/:id/sessions    sessions:read   list sessions
 *   DELETE /users/:id/sessions    sessions:write  end every session and grant
 *   POST   /users/:id/unlock      lockout:write   clear the lockout of the person
 */
import type { Context } from 'koa';
import { type AdminUsers, PolicyRefused } from '../accounts/admin-users.ts';
import type { AuditBus } from '../audit/bus.ts';
import { DomainError } from '../platform/errors.ts';
import { parseBody, parseQuery } from '../security/body.ts';
import type { SessionService } from '../sessions/service.ts';
import { actorOf } from './actor.ts';
import { auditAdmin, refuse } from './audit.ts';
import { decodeCursor, encodeCursor } from './pagination.ts';
import { route } from './routes.ts';
import { createUserBody, deleteUserQuery, listUsersQuery, noQuery, patchUserBody, setPasswordBody, userId } from './user-schemas.ts';
import { type MfaSummary, userView } from './user-view.ts';

export interface UserRouteDeps {
  users: AdminUsers;
  sessions: SessionService;
  mfaStatus(accountId: string): Promise<MfaSummary>;
  audit: AuditBus;
}

type Verb = 'create' | 'update' | 'delete' | 'purge' | 'password' | 'mfa_reset' | 'sessions_end' | 'unlock';

export function userRoutes(deps: UserRouteDeps) {
  const idOf = (ctx: Context): string => {
    const parsed = userId.safeParse(ctx.params.id);
    if (!parsed.success) throw new DomainError('user_not_found', 'no such user');
    return parsed.data;
  };
  const view = async (account: Parameters<typeof userView>[0]) => userView(account, await deps.mfaStatus(account.id));
  const audited = (ctx: Context, verb: Verb, id: string, fields?: string[]) =>
    auditAdmin(deps.audit, ctx, { resource: 'users', verb, target: { kind: 'user', id }, subject: id, fields });

  /** Runs a domain call; a policy refusal is audited against the target and answered 403. */
  async function guarded<T>(ctx: Context, id: string | undefined, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof PolicyRefused) refuse(deps.audit, ctx, error.refusal, { kind: 'user', id: id ?? 'new' });
      throw error;
    }
  }

  async function list(ctx: Context) {
    const query = parseQuery(ctx, listUsersQuery);
    const found = await deps.users.search({
      q: query.q || undefined,
      role: query.role,
      adminRole: query.admin_role,
      disabled: query.disabled,
      after: decodeCursor(query.cursor),
      limit: query.limit + 1,
    });
    const items = found.slice(0, query.limit);
    const last = items.at(-1);
    ctx.body = { items: await Promise.all(items.map(view)), next_cursor: found.length > query.limit && last ? encodeCursor(last.username) : null };
  }

  async function create(ctx: Context) {
    parseQuery(ctx, noQuery);
    const body = await parseBody(ctx, createUserBody);
    const account = await guarded(ctx, undefined, () =>
      deps.users.create(actorOf(ctx), {
        username: body.username,
        email: body.email,
        emailVerified: body.email_verified,
        name: body.name,
        roles: body.roles,
        adminRoles: body.admin_roles,
        password: body.password,
        passwordHash: body.password_hash,
        mustChange: body.must_change,
        invite: body.invite,
      }),
    );
    audited(ctx, 'create', account.id, Object.keys(body));
    ctx.status = 201;
    ctx.body = await view(account);
  }

  async function read(ctx: Context) {
    const id = idOf(ctx);
    parseQuery(ctx, noQuery);
    ctx.body = await view(await deps.users.find(id));
  }

  async function update(ctx: Context) {
    const id = idOf(ctx);
    parseQuery(ctx, noQuery);
    const body = await parseBody(ctx, patchUserBody);
    const { account, fields } = await guarded(ctx, id, () =>
      deps.users.update(actorOf(ctx), id, {
        email: body.email,
        emailVerified: body.email_verified,
        name: body.name,
        roles: body.roles,
        adminRoles: body.admin_roles,
        disabled: body.disabled,
      }),
    );
    if (fields.length > 0) audited(ctx, 'update', id, fields);
    ctx.body = await view(account);
  }

  async function remove(ctx: Context) {
    const id = idOf(ctx);
    const { purge = false } = parseQuery(ctx, deleteUserQuery);
    await guarded(ctx, id, () => deps.users.remove(actorOf(ctx), id, purge));
    audited(ctx, purge ? 'purge' : 'delete', id);
    ctx.status = 204;
  }

  async function setPassword(ctx: Context) {
    const id = idOf(ctx);
    parseQuery(ctx, noQuery);
    const body = await parseBody(ctx, setPasswordBody);
    await guarded(ctx, id, () =>
      deps.users.setPassword(actorOf(ctx), id, { password: body.password, passwordHash: body.password_hash, mustChange: body.must_change }),
    );
    // The name of what was set, never its value.
    audited(ctx, 'password', id, [body.password !== undefined ? 'password' : 'password_hash', ...(body.must_change !== undefined ? ['must_change'] : [])]);
    ctx.status = 204;
  }

  /** A change to a person the policy guards, with no body: reset factors, end sessions. */
  const guardedAction = (verb: Verb, work: (actor: ReturnType<typeof actorOf>, id: string) => Promise<unknown>) => async (ctx: Context) => {
    const id = idOf(ctx);
    parseQuery(ctx, noQuery);
    await guarded(ctx, id, () => work(actorOf(ctx), id));
    audited(ctx, verb, id);
    ctx.status = 204;
  };
  const resetMfa = guardedAction('mfa_reset', (actor, id) => deps.users.resetMfa(actor, id));

  async function sessions(ctx: Context) {
    const id = idOf(ctx);
    parseQuery(ctx, noQuery);
    await deps.users.find(id);
    const found = await deps.sessions.list(id);
    ctx.body = {
      items: found.map((session) => ({
        id: session.uid,
        created_at: session.createdAt.toISOString(),
        last_seen_at: (session.lastActiveAt ?? session.signedInAt ?? session.createdAt).toISOString(),
        ...(session.ip ? { ip: session.ip } : {}),
        device: session.device.label,
        clients: session.applications.map((application) => application.clientId),
      })),
      next_cursor: null,
    };
  }

  const endSessions = guardedAction('sessions_end', (actor, id) => deps.users.endSessions(actor, id));

  async function unlock(ctx: Context) {
    const id = idOf(ctx);
    parseQuery(ctx, noQuery);
    await deps.users.unlock(id);
    audited(ctx, 'unlock', id);
    ctx.status = 204;
  }

  return [
    route('get', '/users', 'users:read', list),
    route('post', '/users', 'users:write', create),
    route('get', '/users/:id', 'users:read', read),
    route('patch', '/users/:id', 'users:write', update),
    route('delete', '/users/:id', 'users:write', remove),
    route('post', '/users/:id/password', 'users:write', setPassword),
    route('delete', '/users/:id/mfa', 'users:mfa', resetMfa),
    route('get', '/users/:id/sessions', 'sessions:read', sessions),
    route('delete', '/users/:id/sessions', 'sessions:write', endSessions),
    route('post', '/users/:id/unlock', 'lockout:write', unlock),
  ];
}
