/**
 * oidc-provider's outbound requests (back-channel logout, jwks_uri, sector_identifier_uri) go
 * through its `fetch` option, after it adds an undici dispatcher that destroys any connection to a
 * special-use address (SSRF protection). OUTBOUND_ALLOW_PRIVATE_ADDRESSES lifts that by dropping
 * the dispatcher, for relying parties on localhost or the LAN; left on, a refusal is rethrown as
 * an error that says so, instead of undici's bare "fetch failed" (finding 20).
 */
import type { Configuration } from 'oidc-provider';

type Fetch = NonNullable<Configuration['fetch']>;

export class OutboundRefusedError extends Error {
  override name = 'OutboundRefusedError';
  readonly code = 'special_use_address';
}

/** The messages of an error and its causes, outermost first ("fetch failed: connect ECONNREFUSED …"). */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error && parts.length < 4; e = e.cause) parts.push(e.message);
  return parts.join(': ') || String(error);
}

// The provider's guard destroys the socket with this message (node_modules/oidc-provider fetch_request.js).
const GUARD_MESSAGE = /special-use IP address/;

export function outboundFetch(allowPrivateAddresses: boolean, base: Fetch = (url, init) => fetch(url, init)): Fetch {
  return async (url, init) => {
    if (allowPrivateAddresses) {
      const { dispatcher: _ssrfGuard, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
      return base(url, rest);
    }
    try {
      return await base(url, init);
    } catch (error) {
      if (!GUARD_MESSAGE.test(describeError(error))) throw error;
      throw new OutboundRefusedError(
        `refused: ${new URL(String(url)).host} resolves to a special-use (loopback, private or reserved) address and OUTBOUND_ALLOW_PRIVATE_ADDRESSES is false`,
        { cause: error },
      );
    }
  };
}
