/**
 * A TLS-terminating proxy in front of a test server, minus the TLS: requests addressed to the
 * public https origin go to the server's plain-http port with `X-Forwarded-Proto: https`, as a
 * load balancer named in TRUST_PROXY sends them. Tests never need a certificate this way.
 */
import * as oidc from 'openid-client';
import { Browserless } from './browserless.ts';

/** The URL the proxy forwards a public URL to (same path and query, on the upstream origin). */
function upstreamOf(url: string | URL, publicOrigin: string, upstream: string): URL {
  const target = new URL(url, publicOrigin);
  if (target.origin !== new URL(publicOrigin).origin) return target;
  return new URL(`${target.pathname}${target.search}`, upstream);
}

/** fetch through the proxy. */
export function proxiedFetch(publicOrigin: string, upstream: string): typeof fetch {
  return (input, init = {}) => {
    const url = input instanceof Request ? input.url : input;
    const headers = new Headers(input instanceof Request ? input.headers : init.headers);
    headers.set('x-forwarded-proto', 'https');
    return fetch(upstreamOf(url, publicOrigin, upstream), {
      ...init,
      headers,
      ...(input instanceof Request ? { method: input.method, body: input.body } : {}),
    });
  };
}

/** A browser (cookie jar, forms, redirects) that reaches the server only through the proxy. */
export class ProxiedBrowser extends Browserless {
  private readonly upstream: string;
  constructor(publicOrigin: string, upstream: string, headers: Record<string, string> = {}) {
    super(publicOrigin, headers);
    this.upstream = upstream;
  }

  override async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('x-forwarded-proto', 'https');
    return super.request(upstreamOf(url, this.base, this.upstream).href, { ...init, headers });
  }
}

/** An openid-client configuration for a client that reaches the issuer through the proxy. */
export async function discoverThroughProxy(publicOrigin: string, upstream: string, clientId: string, secret: string): Promise<oidc.Configuration> {
  const viaProxy = proxiedFetch(publicOrigin, upstream) as oidc.CustomFetch;
  const config = await oidc.discovery(new URL(publicOrigin), clientId, secret, oidc.ClientSecretBasic(secret), { [oidc.customFetch]: viaProxy });
  config[oidc.customFetch] = viaProxy;
  return config;
}
