/**
 * The last stop before the provider: a path that is none of the provider's routes (nor below
 * one) is ours to answer, with 404 `not_found` through the one error handler — the styled error
 * page for browsers, JSON for JSON callers. Without it such paths reached oidc-provider, whose
 * own Koa app answered a bare plain-text "Not Found" (`/nope`, `/account/nope`, `/`).
 */
import type { Context, Next } from 'koa';
import { AppError } from './errors.ts';

export function notFoundUnlessProvider(isProviderPath: (path: string) => boolean) {
  return function unknownPathsAreOurs(ctx: Context, next: Next): Promise<void> {
    if (!isProviderPath(ctx.path)) return Promise.reject(new AppError(404, 'not_found', 'there is nothing at this address'));
    return next();
  };
}
