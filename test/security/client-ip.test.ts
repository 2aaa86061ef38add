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

  it('TRUST_PROXY=true trusts one hop: the client is the rightmost X-Forwarded-For entry, not the client-chosen leftmost', () => {
    const resolver = createClientIpResolver(true);
    const req = request('127.0.0.1', { 'x-forwarded-for': '198.51.100.8, 10.0.0.1' });
    resolver.sanitise(req);
    assert.equal(resolver.resolve(req), '10.0.0.1');
    const single = request('127.0.0.1', { 'x-forwarded-for': '203.0.113.4' });
    resolver.sanitise(single);
    assert.equal(resolver.resolve(single), '203.0.113.4');
    const none = request('::ffff:192.0.2.9');
    resolver.sanitise(none);
    assert.equal(resolver.resolve(none), '192.0.2.9', 'no header: the peer itself');
  });

  it('with a proxy list, the client is the rightmost entry that is not one of our proxies', () => {
    const resolver = createClientIpResolver(['10.0.0.0/8']);
    const req = request('10.0.0.2', { 'x-forwarded-for': '6.6.6.6, 198.51.100.7, 10.9.9.9, 10.0.0.3' });
    resolver.sanitise(req);
    assert.equal(resolver.resolve(req), '198.51.100.7');
  });

  it('never falls back to a client-chosen entry when the nearest one is not an address', () => {
    const one = createClientIpResolver(true);
    const req = request('10.0.0.2', { 'x-forwarded-for': '198.51.100.7, unknown' });
    one.sanitise(req);
    assert.equal(one.resolve(req), '10.0.0.2', 'the proxy itself, not 198.51.100.7');
    const listed = createClientIpResolver(['10.0.0.0/8']);
    const garbage = request('10.0.0.2', { 'x-forwarded-for': '198.51.100.7, unknown, 10.0.0.9' });
    listed.sanitise(garbage);
    assert.equal(listed.resolve(garbage), '10.0.0.9', 'the nearest proxy that wrote it');
  });

  it('reads addresses that a proxy wrote with a port', () => {
    const resolver = createClientIpResolver(true);
    const v4 = request('10.0.0.2', { 'x-forwarded-for': '203.0.113.4:51234' });
    resolver.sanitise(v4);
    assert.equal(resolver.resolve(v4), '203.0.113.4');
    const v6 = request('10.0.0.2', { 'x-forwarded-for': '[2001:db8::7]:443' });
    resolver.sanitise(v6);
    assert.equal(resolver.resolve(v6), '2001:db8::7');
  });

  it('hands the rest of the app (Koa ctx.ip, ctx.secure) only what the nearest trusted proxy said', () => {
    const resolver = createClientIpResolver(true);
    const req = request('127.0.0.1', { 'x-forwarded-for': '198.51.100.8, 10.0.0.1', 'x-forwarded-proto': 'https, http' });
    resolver.sanitise(req);
    assert.equal(req.headers['x-forwarded-for'], '10.0.0.1');
    assert.equal(req.headers['x-forwarded-proto'], 'http', 'the scheme the proxy next to us received');
    assert.equal(resolver.resolve(req), '10.0.0.1', 'resolving again gives the same answer');
  });

  it('refuses a malformed TRUST_PROXY entry', () => {
    assert.throws(() => createClientIpResolver(['not-an-ip']), /TRUST_PROXY/);
  });
});
