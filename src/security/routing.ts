import type { Context, Middleware, Next } from 'koa';

/**
 * How every router of ours matches paths: case-sensitively. @koa/router matches routes without
 * regard to case by default but builds `router.use` prefixes case-sensitively, so `/ADMIN/v1/keys`
 * once reached a handler past a guard mounted with `router.use`. One path has one spelling, as
 * for the provider's routes (canonical-paths.ts). A trailing slash stays optional (`strict` off):
 * it names the same route, and route-level middleware sees it like any other request.
 */
export const ROUTER_OPTIONS = { sensitive: true } as const;

/** Whether a request path could match a route of this path; false means it certainly cannot. */
type CouldMatch = (path: string) => boolean;

/**
 * A route path without parameters or patterns names one path (a trailing slash optional, as
 * `strict` is off): equality decides, so `/` no longer sends every request into the root router.
 * Otherwise the literal start before the first parameter or pattern must begin the path. A layer
 * without methods (`router.use`) matches by prefix, so it keeps the prefix test.
 */
function couldMatch(layer: { path: string | RegExp; methods?: readonly string[] }): CouldMatch {
  const path = layer.path;
  if (typeof path !== 'string') return () => true;
  const cut = path.search(/[:(*]/);
  if (cut !== -1 || !layer.methods?.length) {
    const start = cut === -1 ? path : path.slice(0, cut);
    return (candidate) => candidate.startsWith(start);
  }
  const bare = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const slashed = bare === '/' ? bare : `${bare}/`;
  return (candidate) => candidate === bare || candidate === slashed;
}

/** What of a @koa/router Router this needs (routers themselves live in the edge folders). */
export interface MountableRouter {
  stack: ReadonlyArray<{ path: string | RegExp; methods?: readonly string[] }>;
  routes(): unknown;
  allowedMethods(): unknown;
}

/** A mounted router, with the test the machine lane asks of it (machine-lane.ts). */
export type MountedRouter = Middleware & { router: MountableRouter; couldMatch: CouldMatch };

/**
 * A router as one middleware (its routes, then its 405/501 answers) that a request none of whose
 * routes could match (couldMatch) skips at once: every request used to be matched against every
 * route of every router before it reached the provider. Equivalent, since matching is
 * case-sensitive and such a path can match none of the router's routes.
 */
export function mountRouter(router: MountableRouter): MountedRouter {
  const tests = router.stack.map(couldMatch);
  const could: CouldMatch = (path) => tests.some((test) => test(path));
  const routes = router.routes() as Middleware;
  const allowed = router.allowedMethods() as Middleware;
  const mounted = function routerIfItCouldMatch(ctx: Context, next: Next) {
    const path = ctx.path;
    if (!could(path)) return next();
    return routes(ctx as never, () => allowed(ctx as never, next)) as Promise<void>;
  };
  // Like @koa/router's own middleware, it names its router (the route-table tests read it).
  return Object.assign(mounted, { router, couldMatch: could });
}
