/**
 * The client IP and scheme come from the socket unless the peer is a trusted proxy. Forwarding
 * headers from untrusted peers are deleted at the edge, so nothing further in (Koa's `ctx.ip`,
 * oidc-provider's issuer checks, the rate limiter) can be fooled by a spoofed X-Forwarded-For.
 *
 * Proxies append the address they saw to whatever X-Forwarded-For the client sent, so only the
 * right-hand end of the list is true: `TRUST_PROXY=true` means exactly one proxy, and the client
 * is the rightmost entry; with a list of proxies, the client is the rightmost entry that is not
 * one of them. A trusted request's headers are rewritten to that one address (and to the scheme the
 * nearest proxy reported) so that Koa, which reads the leftmost entries, agrees with us.
 */

import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

export type ClientIpResolver = (req: IncomingMessage) => string;

const FORWARDING_HEADERS = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded'];

function normalise(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** One X-Forwarded-For entry as an address; some proxies write `1.2.3.4:5678` or `[2001:db8::1]:443`. */
function hopAddress(entry: string): string | undefined {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry);
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(entry);
  const address = normalise(bracketed?.[1] ?? withPort?.[1] ?? entry);
  return isIP(address) !== 0 ? address : undefined;
}

/** A list of addresses and CIDR ranges (TRUST_PROXY, ADMIN_ALLOWED_ADDRESSES); `variable` names it in errors. */
export function addressList(entries: readonly string[], variable = 'TRUST_PROXY'): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/');
    const family = isIP(address ?? '') === 6 ? 'ipv6' : 'ipv4';
    const bits = prefix === undefined ? undefined : Number(prefix);
    const validPrefix = bits === undefined || (/^\d{1,3}$/.test(prefix ?? '') && bits <= (family === 'ipv6' ? 128 : 32));
    if (!address || !isIP(address) || !validPrefix) throw new Error(`${variable}: "${entry}" is not an IP address or CIDR range`);
    if (bits !== undefined) list.addSubnet(address, bits, family);
    else list.addAddress(address, family);
  }
  return list;
}

export function isListed(list: BlockList, address: string): boolean {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  return isIP(address) !== 0 && list.check(address, family);
}

/** The comma-separated entries of a forwarding header, nearest proxy last. */
function entries(value: string | string[] | undefined): string[] {
  return String(value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

export function createClientIpResolver(trustProxy: boolean | string[]): {
  resolve: ClientIpResolver;
  /** Removes forwarding headers that an untrusted peer sent; reduces a trusted peer's to what it vouches for. */
  sanitise(req: IncomingMessage): void;
} {
  const list = Array.isArray(trustProxy) ? addressList(trustProxy) : undefined;
  const peerTrusted = (req: IncomingMessage) => trustProxy === true || (list !== undefined && isListed(list, normalise(req.socket.remoteAddress)));

  function resolve(req: IncomingMessage): string {
    const peer = normalise(req.socket.remoteAddress);
    if (!peerTrusted(req)) return peer;
    const hops = entries(req.headers['x-forwarded-for']);
    // The nearest hop that is not our own proxy: with `true` that is the last entry, whatever it is.
    let nearest = peer;
    for (let index = hops.length - 1; index >= 0; index -= 1) {
      const hop = hopAddress(hops[index] as string);
      // An entry that is not an address (nginx writes "unknown" for a unix socket) ends the walk:
      // anything left of it was written by someone we do not trust.
      if (hop === undefined) return nearest;
      if (trustProxy === true || !list || !isListed(list, hop)) return hop;
      nearest = hop;
    }
    return nearest;
  }

  return {
    resolve,
    sanitise(req) {
      if (!peerTrusted(req)) {
        for (const header of FORWARDING_HEADERS) delete req.headers[header];
        return;
      }
      if (req.headers['x-forwarded-for'] !== undefined) req.headers['x-forwarded-for'] = resolve(req);
      // The scheme the proxy next to us received; an earlier entry may be the client's own.
      const scheme = entries(req.headers['x-forwarded-proto']).at(-1);
      if (scheme === undefined) delete req.headers['x-forwarded-proto'];
      else req.headers['x-forwarded-proto'] = scheme.toLowerCase();
    },
  };
}
