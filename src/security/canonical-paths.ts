/**
 * A provider path spelled any other way than the configured one answers 404 here, before the
 * provider. oidc-provider's router folds case and drops one trailing slash, so without this
 * /TOKEN and /token/ reach the token endpoint past every middleware that compares paths — the
 * brute-force guard, the browser-endpoint budget (security audit finding 4). After this, each
 * endpoint has exactly one path, and those middlewares compare canonical paths.
 */
import type { Context, Next } from 'koa';
import type { RouteMatch } from '../oidc/route-match.ts';
import { AppError } from './errors.ts';

export function canonicalProviderPaths(match: (path: string) => RouteMatch<string> | undefined) {
  return function requireCanonicalPath(ctx: Context, next: Next): Promise<void> {
    const path = ctx.path;
    const route = match(path);
    if (route && route.canonical !== path) return Promise.reject(new AppError(404, 'not_found', 'there is nothing at this address'));
    return next();
  };
}
