/**
 * In front of the provider's token, introspection and revocation endpoints: an address that
 * keeps sending failing requests (4xx) runs out of budget, and a client whose authentication
 * keeps failing (401 invalid_client) backs off exponentially — except from addresses where that
 * client authenticated successfully of late, so a stranger cannot starve a real backend.
 * Refusals are JSON `429 too_many_attempts` with Retry-After and RateLimit-* fields.
 *
 * The client is named in the Authorization header or in the form body, so the body is read
 * here (same 56 KiB limit as oidc-provider) and handed on as `req.body`, which oidc-provider
 * reads instead of the stream; it logs one warning about that at the first such request.
 */
import type { IncomingMessage } from 'node:http';
import { parse } from 'node:querystring';
import coBody from 'co-body';
import { decodeJwt } from 'jose';
import type { Context, Next } from 'koa';
import { rateLimitHeaders, waitPhrase, worst } from './http.ts';
import type { Limiter, Verdict } from './limiter.ts';

const BODY_LIMIT = '56kb';

function basicClientId(header: string | undefined): string | undefined {
  const [scheme, value] = (header ?? '').split(' ');
  if (scheme?.toLowerCase() !== 'basic' || !value) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  try {
    return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, '%20'));
  } catch {
    return undefined;
  }
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The client the request claims to be; used only as a counter key, never trusted otherwise. */
function claimedClient(header: string | undefined, form: Record<string, string | string[] | undefined>): string | undefined {
  const fromHeader = basicClientId(header);
  if (fromHeader) return fromHeader;
  const clientId = first(form.client_id);
  if (clientId) return clientId;
  const assertion = first(form.client_assertion);
  if (!assertion) return undefined;
  try {
    return decodeJwt(assertion).sub;
  } catch {
    return undefined;
  }
}

export interface EndpointGuardOptions {
  /** Paths of the protected endpoints, e.g. /token, /token/introspection, /token/revocation. */
  paths: string[];
  /** How long a successful client authentication exempts its address from the client back-off (s). */
  knownAddressTtl: number;
}

export function endpointGuard(limiter: Limiter, options: EndpointGuardOptions) {
  const paths = new Set(options.paths);

  const refuse = (ctx: Context, verdict: Verdict) => {
    ctx.status = 429;
    ctx.set(rateLimitHeaders(verdict));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      error: 'too_many_attempts',
      error_description: `too many failed requests; retry in ${waitPhrase(verdict.retryAfter)}`,
    };
  };

  return async function guardEndpoints(ctx: Context, next: Next): Promise<void> {
    if (ctx.method !== 'POST' || !paths.has(ctx.path)) return next();
    const ip = String(ctx.state.clientIp);
    let form: Record<string, string | string[] | undefined> = {};
    if (ctx.is('application/x-www-form-urlencoded')) {
      let raw: string;
      try {
        raw = await coBody.text(ctx.req, { limit: BODY_LIMIT });
      } catch {
        ctx.status = 400;
        ctx.body = { error: 'invalid_request', error_description: 'failed to parse the request body' };
        return;
      }
      (ctx.req as IncomingMessage & { body?: string }).body = raw;
      form = parse(raw);
    }
    const client = claimedClient(ctx.get('authorization') || undefined, form);
    const pair = client === undefined ? undefined : { client, ip };
    const exempt = pair !== undefined && (await limiter.known('client.known', pair));
    const refused = worst(
      await Promise.all([
        limiter.check('endpoint.ip', { ip }),
        ...(pair && !exempt ? [limiter.check('client.auth', { client: pair.client })] : []),
      ]),
    );
    if (refused) {
      refuse(ctx, refused);
      return;
    }

    await next();

    const status = ctx.res.statusCode;
    if (status >= 400 && status < 500) await limiter.fail('endpoint.ip', { ip });
    if (status === 401 && pair) await limiter.fail('client.auth', { client: pair.client });
    if (status >= 200 && status < 300 && pair) {
      await Promise.all([limiter.reset('client.auth', { client: pair.client }), limiter.remember('client.known', pair, options.knownAddressTtl)]);
    }
  };
}
