import type { Context, Middleware, Next } from 'koa';

/**
 * How every router of ours matches paths: case-sensitively. @koa/router matches routes without
 * regard to case by default but builds `router.use` prefixes case-sensitively, so `/ADMIN/v1/keys`
 * once reached a handler past a guard mounted with `router.use`. One path has one spelling, as
 * for the provider's routes (canonical-paths.ts). A trailing slash stays optional (`strict` off):
 * it names the same route, and route-level middleware sees it like any other request.
 */
export const ROUTER_OPTIONS = { sensitive: true } as const;

/** The literal start of a route path: everything before its first parameter or pattern. */
function literalStart(path: string): string {
  const cut = path.search(/[:(*]/);
  return cut === -1 ? path : path.slice(0, cut);
}

/**
 * A router as one middleware (its routes, then its 405/501 answers) that a request whose path
 * begins with none of the router's literal route starts skips at once: every request used to be
 * matched against every route of every router before it reached the provider. Equivalent, since
 * matching is case-sensitive and a path that does not begin so can match none of its routes.
 */
/** What of a @koa/router Router this needs (routers themselves live in the edge folders). */
export interface MountableRouter {
  stack: ReadonlyArray<{ path: string | RegExp }>;
  routes(): unknown;
  allowedMethods(): unknown;
}

export function mountRouter(router: MountableRouter): Middleware {
  const starts = [...new Set(router.stack.map((layer) => (typeof layer.path === 'string' ? literalStart(layer.path) : '')))];
  const routes = router.routes() as Middleware;
  const allowed = router.allowedMethods() as Middleware;
  const mounted = function routerIfItCouldMatch(ctx: Context, next: Next) {
    const path = ctx.path;
    let could = false;
    for (const start of starts) if (path.startsWith(start)) could = true;
    if (!could) return next();
    return routes(ctx as never, () => allowed(ctx as never, next)) as Promise<void>;
  };
  // Like @koa/router's own middleware, it names its router (the route-table tests read it).
  return Object.assign(mounted, { router });
}
