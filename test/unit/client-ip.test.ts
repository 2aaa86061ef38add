import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { createClientIpResolver } from '../../src/security/client-ip.ts';

function request(peer: string, headers: Record<string, string> = {}): IncomingMessage {
  return { socket: { remoteAddress: peer }, headers: { ...headers } } as unknown as IncomingMessage;
}

describe('client IP', () => {
  it('uses the socket and drops forwarding headers when no proxy is trusted', () => {
    const resolver = createClientIpResolver(false);
    const req = request('203.0.113.9', { 'x-forwarded-for': '1.2.3.4', 'x-forwarded-proto': 'https' });
    resolver.sanitise(req);
    assert.equal(req.headers['x-forwarded-for'], undefined);
    assert.equal(req.headers['x-forwarded-proto'], undefined);
    assert.equal(resolver.resolve(req), '203.0.113.9');
  });

  it('believes X-Forwarded-For only from a trusted proxy, skipping our own hops', () => {
    const resolver = createClientIpResolver(['10.0.0.0/8', '192.0.2.1']);
    const viaProxy = request('::ffff:10.1.2.3', { 'x-forwarded-for': '6.6.6.6, 198.51.100.7, 192.0.2.1' });
    resolver.sanitise(viaProxy);
    assert.equal(resolver.resolve(viaProxy), '198.51.100.7', 'the spoofed left-most entry is not believed');
    const direct = request('198.51.100.50', { 'x-forwarded-for': '1.2.3.4' });
    resolver.sanitise(direct);
    assert.equal(resolver.resolve(direct), '198.51.100.50', 'an untrusted peer cannot choose its address');
  });

  it('refuses a malformed TRUST_PROXY entry', () => {
    assert.throws(() => createClientIpResolver(['not-an-ip']), /TRUST_PROXY/);
  });
});
