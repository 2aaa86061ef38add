/**
 * Security headers (helmet) on every response. The CSP allows no inline script except what
 * oidc-provider hashes itself (form_post), and omits `form-action`: browsers apply it to the
 * redirects that follow a form POST, and the login form's final redirect goes to the client's
 * redirect_uri, whatever its origin.
 */
import helmet from 'helmet';
import type { Context, Next } from 'koa';

export function securityHeaders(secure: boolean) {
  const apply = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'"],
        'connect-src': ["'self'"],
        'base-uri': ["'none'"],
        'object-src': ["'none'"],
        'frame-ancestors': ["'none'"],
        ...(secure ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    strictTransportSecurity: secure ? { maxAge: 31536000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
  });
  return async function withSecurityHeaders(ctx: Context, next: Next): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      apply(ctx.req, ctx.res, (error?: unknown) => (error ? reject(error) : resolve()));
    });
    await next();
  };
}

/** Pages that show personal state must never be stored by a browser or proxy. */
export async function noStore(ctx: Context, next: Next): Promise<void> {
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Pragma', 'no-cache');
  await next();
}
