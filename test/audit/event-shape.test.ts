/**
 * The shape of one audit event as the bus builds it: the outcome and actor defaults (the tables
 * in outcome.ts and actor.ts), the user agent from the request, and the detail filter that keeps
 * only catalogued keys and cuts secret-looking values.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAuditBus, MAX_USER_AGENT } from '../../src/audit/bus.ts';
import { AUDIT_EVENTS } from '../../src/audit/catalogue.ts';
import { maskSecrets } from '../../src/audit/detail-filter.ts';
import { outcomeOf } from '../../src/audit/outcome.ts';
import { actAs, type RequestContext, runInRequest } from '../../src/platform/request-context.ts';
import type { AuditRecord } from '../../src/storage/port.ts';

const failing = (error: unknown) => {
  throw error;
};
const request = (extra: Partial<RequestContext> = {}): RequestContext => ({ requestId: 'req-1', ip: '192.0.2.7', userAgent: 'Firefox', ...extra });

describe('audit event outcome', () => {
  it('is a failure for every type that ends like one, a success otherwise', () => {
    const table: [string, 'success' | 'failure'][] = [
      ['login.failed', 'failure'],
      ['password.change_failed', 'failure'],
      ['backchannel_logout.error', 'failure'],
      ['admin.refused', 'failure'],
      ['session.limit_refused', 'failure'],
      ['refresh_token.reuse_detected', 'failure'],
      ['artefact.reuse_detected', 'failure'],
      ['account.locked', 'failure'],
      ['login.throttled', 'failure'],
      ['mfa.throttled', 'failure'],
      ['password.compromised', 'failure'],
      ['login.success', 'success'],
      ['account.unlocked', 'success'],
      ['refresh_token.grace_retry', 'success'],
      ['key.revoked', 'success'],
      ['admin.users.unlock', 'success'],
    ];
    assert.deepEqual(
      table.map(([type]) => [type, outcomeOf(type)]),
      table,
    );
  });

  it('takes the outcome an emit site gives over the default', () => {
    const bus = createAuditBus(failing);
    assert.equal(bus.emit({ type: 'password.reset_requested', outcome: 'failure' }).outcome, 'failure');
    assert.equal(bus.emit({ type: 'password.reset_requested' }).outcome, 'success');
  });
});

describe('audit event actor', () => {
  const bus = createAuditBus(failing);
  const actorOf = (input: Parameters<typeof bus.emit>[0], context?: RequestContext) =>
    (context ? runInRequest(context, () => bus.emit(input)) : bus.emit(input)).actor;

  it('names the person, an anonymous caller, the client, the system or the admin caller by the type', () => {
    const inRequest = request();
    assert.deepEqual(actorOf({ type: 'mfa.verified', accountId: 'acc-1', clientId: 'web' }, inRequest), { kind: 'person', id: 'acc-1' });
    assert.deepEqual(actorOf({ type: 'login.failed', clientId: 'web' }, inRequest), { kind: 'person' }, 'an unknown username: someone at the pages');
    assert.deepEqual(actorOf({ type: 'password.reset_requested', accountId: 'acc-1' }, inRequest), { kind: 'person' }, 'anyone can ask for a reset');
    assert.deepEqual(actorOf({ type: 'account.signup_refused', accountId: 'acc-1' }, inRequest), { kind: 'person' });
    assert.deepEqual(actorOf({ type: 'token.issued', clientId: 'machine' }, inRequest), { kind: 'client', id: 'machine' });
    assert.deepEqual(actorOf({ type: 'token.issued', clientId: 'web', accountId: 'acc-1' }, inRequest), { kind: 'person', id: 'acc-1' });
    assert.deepEqual(actorOf({ type: 'token.failed' }, inRequest), { kind: 'client' }, 'an unknown client');
    assert.deepEqual(actorOf({ type: 'key.rotated' }), { kind: 'system' }, 'the rotation timer');
    assert.deepEqual(actorOf({ type: 'mail.failed', accountId: 'acc-1' }), { kind: 'system' }, 'the outbox worker');
    assert.deepEqual(actorOf({ type: 'account.locked', accountId: 'acc-1' }, inRequest), { kind: 'system' }, 'the lockout policy');
    assert.equal(actorOf({ type: 'admin.refused' }, inRequest), undefined, 'no token: nobody known');
    assert.deepEqual(actorOf({ type: 'session.ended', accountId: 'acc-1' }), { kind: 'system' }, 'no request: a background job');
    assert.deepEqual(actorOf({ type: 'test.uncatalogued' }), { kind: 'system' });
    assert.deepEqual(actorOf({ type: 'test.uncatalogued', accountId: 'acc-1' }, inRequest), { kind: 'person', id: 'acc-1' });
  });

  it('names the authenticated admin caller for every event of an admin request', () => {
    const admin = request();
    runInRequest(admin, () => actAs({ kind: 'admin', id: 'ops-robot' }));
    assert.deepEqual(actorOf({ type: 'session.ended', accountId: 'acc-1' }, admin), { kind: 'admin', id: 'ops-robot' });
    assert.deepEqual(actorOf({ type: 'key.rotated' }, admin), { kind: 'admin', id: 'ops-robot' });
    assert.deepEqual(actorOf({ type: 'admin.users.update', accountId: 'acc-1' }, admin), { kind: 'admin', id: 'ops-robot' });
    const operator = request();
    runInRequest(operator, () => actAs({ kind: 'operator' }));
    assert.deepEqual(actorOf({ type: 'account.unlocked', accountId: 'acc-1' }, operator), { kind: 'operator' });
  });

  it('takes the actor an emit site gives over every default', () => {
    const admin = request();
    runInRequest(admin, () => actAs({ kind: 'admin', id: 'ops-robot' }));
    assert.deepEqual(actorOf({ type: 'refresh_token.reuse_detected', accountId: 'acc-1', actor: { kind: 'client', id: 'thief' } }, admin), {
      kind: 'client',
      id: 'thief',
    });
  });
});

describe('audit event request fields', () => {
  it('carries the request id, address and user agent of the request, the user agent cut to 256 characters', () => {
    const bus = createAuditBus(failing);
    const long = `Mozilla/5.0 ${'x'.repeat(1000)}`;
    const event = runInRequest(request({ userAgent: long }), () => bus.emit({ type: 'login.success', accountId: 'acc-1' }));
    assert.equal(event.requestId, 'req-1');
    assert.equal(event.ip, '192.0.2.7');
    assert.equal(event.userAgent, long.slice(0, MAX_USER_AGENT));
    assert.equal(MAX_USER_AGENT, 256);
    assert.equal(runInRequest(request({ userAgent: '' }), () => bus.emit({ type: 'logout' })).userAgent, undefined);
    assert.equal(bus.emit({ type: 'key.rotated' }).userAgent, undefined);
  });
});

describe('audit event detail', () => {
  const bus = createAuditBus(failing);

  it('keeps only the keys the catalogue lists for the type', () => {
    const event = bus.emit({ type: 'login.failed', detail: { reason: 'wrong_password', password: 'hunter2hunter2', code: '123456' } });
    assert.deepEqual(event.detail, { reason: 'wrong_password' });
    assert.deepEqual(AUDIT_EVENTS['login.failed'].detail.includes('password' as never), false);
  });

  it('cuts tokens, secrets and digests to their first 8 characters, in any value and inside text', () => {
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLWJ5dGVz';
    const opaque = 'Zq8xV3nPq2LrT5wYbN7kM1sD';
    const noDigits = 'QwErTyUiOpAsDfGhJkLzXcVb';
    const hex = 'a3f5c9e1b7d24f6a8c0e2b4d6f8a0c2e';
    assert.equal(maskSecrets(jwt), 'eyJhbGci…');
    assert.equal(maskSecrets(opaque), 'Zq8xV3nP…');
    assert.equal(maskSecrets(noDigits), 'QwErTyUi…');
    assert.equal(maskSecrets(hex), 'a3f5c9e1…');
    assert.equal(maskSecrets(`fetch failed: token ${opaque} refused`), 'fetch failed: token Zq8xV3nP… refused');
    const event = bus.emit({ type: 'backchannel_logout.error', detail: { reason: 'session_ended', error: `bad ${jwt}`, refused: [opaque] } });
    assert.deepEqual(event.detail, { reason: 'session_ended', error: 'bad eyJhbGci…', refused: ['Zq8xV3nP…'] });
  });

  it('leaves plain words, codes, dates, grant types and identifiers whole', () => {
    for (const plain of [
      'password_compromised',
      'AuthorizationCode',
      'urn:ietf:params:oauth:grant-type:device_code',
      '2026-12-02T04:00:00.000Z',
      'fetch failed: connect ECONNREFUSED 127.0.0.1:9',
      'admin_roles_changed',
    ]) {
      assert.equal(maskSecrets(plain), plain);
    }
    const grantId = 'Zq8xV3nPq2LrT5wYbN7kM';
    const event = bus.emit({ type: 'refresh_token.reuse_detected', detail: { reason: 'replayed', grantId, issuedTo: 'web-app', rotations: 2 } });
    assert.deepEqual(event.detail, { reason: 'replayed', grantId, issuedTo: 'web-app', rotations: 2 });
  });

  it('passes a clean detail through without copying it (token.issued is on every token response)', () => {
    const detail = { grant_type: 'authorization_code' };
    assert.equal(bus.emit({ type: 'token.issued', detail }).detail, detail);
  });

  it('masks the values of a type the catalogue does not list, and keeps its keys', () => {
    const event = bus.emit({ type: 'test.uncatalogued', detail: { reason: 'kept', token: 'Zq8xV3nPq2LrT5wYbN7kM1sD' } });
    assert.deepEqual(event.detail, { reason: 'kept', token: 'Zq8xV3nP…' });
  });
});

describe('audit bus delivery', () => {
  it('runs synchronous subscribers at once, and flush() waits for the asynchronous ones', async () => {
    const bus = createAuditBus(failing);
    const seen: string[] = [];
    let release: () => void = () => {};
    bus.subscribe((event) => {
      seen.push(`sync ${event.type}`);
    });
    bus.subscribe(
      (event: AuditRecord) =>
        new Promise<void>((resolve) => {
          release = () => {
            seen.push(`async ${event.type}`);
            resolve();
          };
        }),
    );
    bus.emit({ type: 'logout' });
    assert.deepEqual(seen, ['sync logout']);
    let flushed = false;
    const flushing = bus.flush().then(() => {
      flushed = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(flushed, false);
    release();
    await flushing;
    assert.deepEqual(seen, ['sync logout', 'async logout']);
  });

  it('reports a subscriber that throws or rejects, and still delivers to the others', async () => {
    const errors: string[] = [];
    const bus = createAuditBus((error) => errors.push((error as Error).message));
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error('sync boom');
    });
    bus.subscribe(async () => {
      throw new Error('async boom');
    });
    bus.subscribe((event) => {
      seen.push(event.type);
    });
    bus.emit({ type: 'logout' });
    await bus.flush();
    assert.deepEqual(seen, ['logout']);
    assert.deepEqual(errors.sort(), ['async boom', 'sync boom']);
  });
});
