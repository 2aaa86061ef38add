/**
 * Security headers (helmet) on every response. The CSP allows no inline script except what
 * oidc-provider hashes itself (form_post), and omits `form-action`: browsers apply it to the
 * redirects that follow a form POST, and the login form's final redirect goes to the client's
 * redirect_uri, whatever its origin.
 */
import type { ServerResponse } from 'node:http';
import helmet from 'helmet';
import type { Context, Next } from 'koa';

export interface SecurityHeaderOptions {
  /**
   * Paths whose answers get the headers once the rest of the chain is done, not before it: the
   * machine endpoints (machine-lane.ts). oidc-provider's CORS step copies every header already
   * set on each request (`Object.keys(ctx.response.headers)`), a dozen of ours included; set
   * afterwards they cost it nothing. A header the chain set itself is kept, as it would have
   * replaced ours. Never for pages: oidc-provider adds its script hash to the CSP already there.
   */
  deferFor?: (path: string) => boolean;
}

export function securityHeaders(secure: boolean, options: SecurityHeaderOptions = {}) {
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
  // The headers are the same for every response: helmet computes them once, here, and each
  // response gets the recorded list (no per-request helmet run, no promise around it).
  const headers = recordHeaders(apply);
  const deferFor = options.deferFor ?? (() => false);
  const addMissing = (res: ServerResponse) => {
    if (res.headersSent) return;
    for (const [name, value] of headers) if (!res.hasHeader(name)) res.setHeader(name, value);
  };
  return function withSecurityHeaders(ctx: Context, next: Next): Promise<void> {
    const res = ctx.res;
    if (deferFor(ctx.path)) {
      return next().then(
        () => addMissing(res),
        (error: unknown) => {
          addMissing(res);
          throw error;
        },
      );
    }
    for (const [name, value] of headers) res.setHeader(name, value);
    return next();
  };
}

type Helmet = ReturnType<typeof helmet>;

function recordHeaders(apply: Helmet): Array<[string, string]> {
  const recorded = new Map<string, string>();
  const res = {
    // Lower-cased, as Node keys them: `setHeader` and `hasHeader` then lower-case nothing per
    // response (a dozen new strings each time with helmet's spelling). Names are case-insensitive.
    setHeader: (name: string, value: unknown) => recorded.set(name.toLowerCase(), String(value)),
    removeHeader: (name: string) => recorded.delete(name.toLowerCase()),
    getHeader: (name: string) => recorded.get(name.toLowerCase()),
  };
  let finished = false;
  apply({ headers: {}, method: 'GET', url: '/' } as never, res as never, (error?: unknown) => {
    if (error) throw error;
    finished = true;
  });
  // Helmet's middleware is synchronous; if that ever changes, fail at start rather than send nothing.
  if (!finished || recorded.size === 0) throw new Error('security headers could not be precomputed');
  return [...recorded];
}

/** Pages that show personal state must never be stored by a browser or proxy. */
export async function noStore(ctx: Context, next: Next): Promise<void> {
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Pragma', 'no-cache');
  await next();
}
