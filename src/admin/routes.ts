/** The shape of one admin route: each resource module (users.ts, clients.ts …) lists its own. */
import type { Middleware } from 'koa';
import type { AdminScope } from '../rbac/scopes.ts';

export interface AdminRoute {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  /** Below /admin/v1, in @koa/router syntax (`/users/:id`). */
  path: string;
  /** The scope the token must carry (and the caller still hold) for this route. */
  scope: AdminScope;
  handlers: Middleware[];
}

export const route = (method: AdminRoute['method'], path: string, scope: AdminScope, ...handlers: Middleware[]): AdminRoute => ({
  method,
  path,
  scope,
  handlers,
});
