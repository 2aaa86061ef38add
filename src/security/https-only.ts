/**
 * An https issuer is served over https only. Portcullis itself speaks plain http behind a
 * TLS-terminating proxy, so a request counts as https only when a trusted proxy says so
 * (X-Forwarded-Proto, which client-ip.ts has already deleted from untrusted peers and reduced to
 * the nearest proxy's word). Anything else gets 400 `https_required` before any route runs: no
 * session is started and no cookie set over a connection an SSL-stripping attacker can read, and
 * a misrouted client fails loudly instead of working in clear.
 *
 * Two exemptions, neither of which sets a cookie or reaches a browser's session:
 * - load-balancer probes (/healthz, /readyz) come straight from the balancer, without
 *   X-Forwarded-Proto, and answer only `ok`/`ready`;
 * - the admin API, which the CLI (`portcullis keys|lockout`) calls at http://127.0.0.1:PORT by
 *   default with a bearer token. A direct loopback connection (no X-Forwarded-Proto at all) never left the
 *   machine, so TLS would add nothing; the same paths through the proxy must still say https.
 */
import type { Context, Next } from 'koa';
import type { Logger } from '../platform/logger.ts';
import { AppError } from './errors.ts';

export interface HttpsOnlyOptions {
  issuer: string;
  trustProxy: boolean | string[];
  logger: Logger;
  /** Paths answered whatever the scheme. */
  probes: string[];
  /** Path prefixes answered on a direct loopback connection. */
  localOperatorPaths: string[];
}

function isLoopback(address: string | undefined): boolean {
  const plain = address?.startsWith('::ffff:') ? address.slice(7) : (address ?? '');
  return plain === '::1' || plain.startsWith('127.');
}

export function httpsOnly(options: HttpsOnlyOptions) {
  if (new URL(options.issuer).protocol !== 'https:') {
    return function plainHttpIssuer(_ctx: Context, next: Next): Promise<void> {
      return next();
    };
  }
  if (options.trustProxy === false) {
    // Production refuses this at start-up (config/index.ts); elsewhere it is allowed but useless.
    options.logger.warn('ISSUER is https but TRUST_PROXY is false: every request except /healthz and /readyz will be refused with 400 https_required');
  }
  const probes = new Set(options.probes);
  const isLocalOperatorCall = (ctx: Context) =>
    options.localOperatorPaths.some((prefix) => ctx.path === prefix || ctx.path.startsWith(`${prefix}/`)) &&
    isLoopback(ctx.req.socket.remoteAddress) &&
    ctx.get('x-forwarded-proto') === '';

  return function requireHttps(ctx: Context, next: Next): Promise<void> {
    if (!ctx.secure && !probes.has(ctx.path) && !isLocalOperatorCall(ctx)) {
      return Promise.reject(new AppError(400, 'https_required', `this service is only available over https: use ${options.issuer}`));
    }
    return next();
  };
}
