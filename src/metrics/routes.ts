/**
 * The `route` label of a request: the route template that answered it, never the raw path (a
 * path carries interaction ids, client ids and whatever a scanner makes up). Our own routers
 * leave the template in `ctx._matchedRoute` (@koa/router, prefix included:
 * `/interaction/:uid/login`); the provider's come from its route table (oidc/routes.ts) with the
 * few paths it serves below a route. Everything else is `unmatched`.
 */
import { createRouteMatcher } from '../oidc/route-match.ts';
import { PROVIDER_ROUTES, providerRoutes } from '../oidc/routes.ts';

/** Paths oidc-provider serves below a configured route (lib/helpers/initialize_app.js). */
const BELOW: Record<string, (rest: string) => string | undefined> = {
  [PROVIDER_ROUTES.authorization]: (rest) => (oneSegment(rest) ? '/:uid' : undefined),
  [PROVIDER_ROUTES.code_verification]: (rest) => (oneSegment(rest) ? '/:uid' : undefined),
  [PROVIDER_ROUTES.registration]: (rest) => (oneSegment(rest) ? '/:clientId' : undefined),
  [PROVIDER_ROUTES.end_session]: (rest) => (rest === '/confirm' || rest === '/success' ? rest : undefined),
};

function oneSegment(rest: string): boolean {
  return rest.length > 1 && rest.indexOf('/', 1) === -1;
}

export interface RoutedRequest {
  path: string;
  _matchedRoute?: string | RegExp | undefined;
}

export function createRouteLabel() {
  const match = createRouteMatcher(providerRoutes());
  return function routeLabel(ctx: RoutedRequest): string {
    if (typeof ctx._matchedRoute === 'string') return ctx._matchedRoute;
    const found = match(ctx.path);
    // Another spelling (/TOKEN, /token/) is refused in front of the provider (security/canonical-paths.ts).
    if (!found || found.canonical !== ctx.path) return 'unmatched';
    if (found.exact) return found.route;
    const below = BELOW[found.route]?.(ctx.path.slice(found.route.length));
    return below ? found.route + below : 'unmatched';
  };
}
