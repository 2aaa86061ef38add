/**
 * CORS is denied by default. Browser origins in CORS_ORIGINS may call the token, userinfo,
 * introspection, revocation, PAR and device endpoints; discovery and JWKS are public to any origin
 * (oidc-provider answers those itself). Our own pages and APIs send no CORS headers at all.
 */
import type { Context, Next } from 'koa';

const CLIENT_ROUTES = /^\/(token|me|token\/introspection|token\/revocation|request|device\/auth)$/;

export function corsPolicy(allowed: readonly string[]) {
  const origins = new Set(allowed);
  return {
    /** For oidc-provider's clientBasedCORS hook. */
    allows: (origin: string) => origins.has(origin),
    /** Answers preflights from origins that are not allowed before oidc-provider reflects them. */
    middleware(ctx: Context, next: Next): Promise<void> {
      // Only a preflight can be refused here: every other request goes on without a look at its headers.
      if (ctx.method !== 'OPTIONS') return next();
      const origin = ctx.get('origin');
      if (origin && CLIENT_ROUTES.test(ctx.path) && !origins.has(origin)) {
        ctx.vary('Origin');
        ctx.status = 403;
        ctx.body = { error: 'cors_denied', error_description: 'this origin may not call this endpoint' };
        return Promise.resolve();
      }
      return next();
    },
  };
}
