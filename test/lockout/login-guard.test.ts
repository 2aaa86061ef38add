/** The login guard on its own: ordering rules that HTTP timing could hide. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAuditBus } from '../../src/audit/bus.ts';
import { loadConfig } from '../../src/config/index.ts';
import { memoryCounters } from '../../src/lockout/counters.ts';
import { buildDimensions } from '../../src/lockout/dimensions.ts';
import { createLimiter } from '../../src/lockout/limiter.ts';
import { createLoginGuard } from '../../src/lockout/login-guard.ts';
import { asAppError } from '../../src/security/errors.ts';
import type { AuditRecord } from '../../src/storage/port.ts';

function guard(env: Record<string, string> = {}) {
  const config = loadConfig(env);
  const limiter = createLimiter(memoryCounters(), buildDimensions(config.lockout));
  const audit = createAuditBus((error) => {
    throw error;
  });
  const events: AuditRecord[] = [];
  audit.subscribe((event) => {
    events.push(event);
  });
  return { guard: createLoginGuard(limiter, audit, { knownAddressTtl: 60, hardLockFailures: 0 }), limiter, events, audit };
}

describe('login guard', () => {
  it('lets one of a burst of parallel attempts through, the rest wait for it', async () => {
    const { guard: g } = guard({ LOCKOUT_USER_IP_FREE_FAILURES: '100' });
    const attempt = { username: 'alice', ip: '192.0.2.1' };
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => g.check(attempt)));
    assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
    for (const result of results) {
      if (result.status === 'rejected') assert.equal(asAppError(result.reason)?.status, 429);
    }
    await g.failed(attempt);
    await g.check(attempt);
    await g.succeeded(attempt);
    await g.check(attempt);
  });

  it('does not count refused attempts, so the announced wait stays the real one', async () => {
    const { guard: g, limiter } = guard({ LOCKOUT_USER_IP_FREE_FAILURES: '0', LOCKOUT_BACKOFF_BASE: '1m' });
    const attempt = { username: 'bob', ip: '192.0.2.2' };
    await g.check(attempt);
    await g.failed(attempt);
    for (let i = 0; i < 5; i += 1) await assert.rejects(g.check(attempt), (error: unknown) => asAppError(error)?.headers['Retry-After'] === '60');
    assert.equal((await limiter.check('login.user_ip', attempt)).failures, 1);
  });

  it('notes a flood of refusals in the audit trail once a minute per username + address', async () => {
    const { guard: g, events, audit } = guard({ LOCKOUT_USER_IP_FREE_FAILURES: '0', LOCKOUT_BACKOFF_BASE: '1m' });
    for (const ip of ['192.0.2.3', '192.0.2.4']) {
      const attempt = { username: 'carol', ip };
      await g.check(attempt);
      await g.failed(attempt);
      for (let i = 0; i < 50; i += 1) await assert.rejects(g.check(attempt));
    }
    await audit.flush();
    const throttled = events.filter((event) => event.type === 'login.throttled');
    assert.equal(throttled.length, 2);
    assert.deepEqual(throttled[0]?.detail, { dimension: 'login.user_ip', retry_after: 60 });
  });
});
