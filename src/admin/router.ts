/**
 * The admin API: one table of routes under /admin/v1, assembled from each resource's list, and one
 * auth check (auth.ts) put in front of every route with the scope that route needs. Answers are
 * JSON and never cached. docs/operations.md lists every route.
 *
 *   keys      GET /keys · POST /keys/rotate · POST /keys/:kid/revoke
 *   lockout   GET /lockout · POST /lockout/unlock · POST /lockout/lock
 *   users     GET|POST /users · GET|PATCH|DELETE /users/:id · POST /users/:id/password · DELETE /users/:id/mfa
 *             GET|DELETE /users/:id/sessions · POST /users/:id/unlock
 *   clients   GET|POST /clients · GET|PATCH|DELETE /clients/:id · POST /clients/:id/secret
 *   resources GET|POST /resources · GET|PATCH|DELETE /resources/:id (encodeURIComponent of the identifier)
 *   roles     GET|POST /roles · GET|PATCH|DELETE /roles/:name
 *   audit     GET /audit · GET /audit/verify
 */
import Router from '@koa/router';
import type { AccountService } from '../accounts/service.ts';
import type { AuditBus } from '../audit/bus.ts';
import type { KeyManager } from '../keys/manager.ts';
import type { Limiter } from '../lockout/limiter.ts';
import { ADMIN_PREFIX } from '../rbac/scopes.ts';
import { ROUTER_OPTIONS } from '../security/routing.ts';
import { type AuditRouteDeps, auditRoutes } from './audit-trail.ts';
import type { AdminAuth } from './auth.ts';
import { type ClientRouteDeps, clientRoutes } from './clients.ts';
import { keyRoutes } from './keys.ts';
import { lockoutRoutes } from './lockout.ts';
import { type ResourceRouteDeps, resourceRoutes } from './resources.ts';
import { type RoleRouteDeps, roleRoutes } from './roles.ts';
import type { AdminRoute } from './routes.ts';
import { type UserRouteDeps, userRoutes } from './users.ts';

export interface AdminDeps {
  auth: AdminAuth;
  keys: KeyManager;
  limiter: Limiter;
  accounts: AccountService;
  audit: AuditBus;
  users: Omit<UserRouteDeps, 'audit'>;
  clients: ClientRouteDeps['clients'];
  roles: RoleRouteDeps['roles'];
  listAccounts: RoleRouteDeps['listAccounts'];
  resources: Omit<ResourceRouteDeps, 'audit'>;
  trail: AuditRouteDeps['trail'];
}

/** Every route of the admin API, in the order the docs list them. */
export function adminRoutes(deps: AdminDeps): AdminRoute[] {
  return [
    ...keyRoutes(deps.keys, deps.audit),
    ...lockoutRoutes(deps),
    ...userRoutes({ ...deps.users, audit: deps.audit }),
    ...clientRoutes(deps),
    ...roleRoutes(deps),
    ...resourceRoutes({ ...deps.resources, audit: deps.audit }),
    ...auditRoutes(deps),
  ];
}

export function adminRouter(deps: AdminDeps): Router {
  // Case-sensitive like every router of ours (security/routing.ts), and the credential is checked
  // on each route itself rather than by router.use, whose prefix match @koa/router builds apart
  // from the routes': a route must never be reachable by a spelling its guard does not match.
  const router = new Router({ prefix: ADMIN_PREFIX, ...ROUTER_OPTIONS });
  for (const entry of adminRoutes(deps)) {
    router[entry.method](entry.path, deps.auth.guard(entry.scope), ...entry.handlers);
  }
  return router;
}
