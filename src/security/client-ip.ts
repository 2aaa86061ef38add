/**
 * The client IP and scheme come from the socket unless the peer is a trusted proxy. Forwarding
 * headers from untrusted peers are deleted at the edge, so nothing further in (Koa's `ctx.ip`,
 * oidc-provider's issuer checks, the rate limiter) can be fooled by a spoofed X-Forwarded-For.
 */
import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

export type ClientIpResolver = (req: IncomingMessage) => string;

const FORWARDING_HEADERS = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded'];

function normalise(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function trustList(trusted: string[]): BlockList {
  const list = new BlockList();
  for (const entry of trusted) {
    const [address, prefix] = entry.split('/');
    const family = isIP(address ?? '') === 6 ? 'ipv6' : 'ipv4';
    if (!address || !isIP(address)) throw new Error(`TRUST_PROXY: "${entry}" is not an IP address or CIDR range`);
    if (prefix) list.addSubnet(address, Number(prefix), family);
    else list.addAddress(address, family);
  }
  return list;
}

function isTrusted(list: BlockList, address: string): boolean {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  return isIP(address) !== 0 && list.check(address, family);
}

export function createClientIpResolver(trustProxy: boolean | string[]): {
  resolve: ClientIpResolver;
  /** Removes forwarding headers that an untrusted peer sent. */
  sanitise(req: IncomingMessage): void;
} {
  const list = Array.isArray(trustProxy) ? trustList(trustProxy) : undefined;
  const peerTrusted = (req: IncomingMessage) =>
    trustProxy === true || (list !== undefined && isTrusted(list, normalise(req.socket.remoteAddress)));

  return {
    sanitise(req) {
      if (peerTrusted(req)) return;
      for (const header of FORWARDING_HEADERS) delete req.headers[header];
    },
    resolve(req) {
      const peer = normalise(req.socket.remoteAddress);
      if (!peerTrusted(req)) return peer;
      const hops = String(req.headers['x-forwarded-for'] ?? '')
        .split(',')
        .map((hop) => normalise(hop.trim()))
        .filter((hop) => isIP(hop) !== 0);
      if (trustProxy === true) return hops[0] ?? peer;
      // Walk from the nearest hop outwards; the first address that is not one of our proxies is the client.
      for (let index = hops.length - 1; index >= 0; index -= 1) {
        const hop = hops[index] as string;
        if (!list || !isTrusted(list, hop)) return hop;
      }
      return hops[0] ?? peer;
    },
  };
}
