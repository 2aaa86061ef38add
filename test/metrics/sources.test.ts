/**
 * The metrics' sources one by one, without a server: audit events become MFA and token counters
 * with closed label sets, the fallback gauge follows the lockout store's health at scrape time,
 * and the argon2 slot observer shows the queue while a computation waits.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { observeSlots } from '../../src/accounts/hash-observer.ts';
import { createLimiter } from '../../src/accounts/limit.ts';
import { createAuditBus } from '../../src/audit/bus.ts';
import type { Lockout } from '../../src/lockout/index.ts';
import type { Limiter } from '../../src/lockout/limiter.ts';
import { countBreachLookups, createMetrics, hashObserver, registerOutboxGauge, watchDomains, watchLockout } from '../../src/metrics/index.ts';
import type { BreachVerdict } from '../../src/passwords/types.ts';
import { value } from '../support/metrics.ts';

const noKeys = { list: async () => [] };

describe('metric sources', () => {
  it('counts MFA checks by method and result from audit events, and unknown grant types as other', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const audit = createAuditBus((error) => {
      throw error;
    });
    watchDomains(metrics, { audit, keys: noKeys, keyClock: () => new Date() });
    audit.emit({ type: 'mfa.verified', accountId: 'a1', detail: { method: 'totp' } });
    audit.emit({ type: 'mfa.verified', accountId: 'a1', detail: { method: 'backup_code' } });
    audit.emit({ type: 'mfa.failed', accountId: 'a1', detail: { reason: 'wrong_code' } });
    audit.emit({ type: 'mfa.failed', accountId: 'a1', detail: { reason: 'replayed' } });
    audit.emit({ type: 'mfa.throttled', accountId: 'a1' });
    audit.emit({ type: 'token.issued', clientId: 'web-app', detail: { grant_type: 'client_credentials' } });
    audit.emit({ type: 'token.issued', clientId: 'web-app', detail: { grant_type: 'alice-made-this-up' } });
    await audit.flush();
    const text = await metrics.registry.metrics();
    assert.equal(value(text, 'portcullis_mfa_verifications_total', { method: 'totp', result: 'success' }), 1);
    assert.equal(value(text, 'portcullis_mfa_verifications_total', { method: 'backup_code', result: 'success' }), 1);
    assert.equal(value(text, 'portcullis_mfa_verifications_total', { method: 'unknown', result: 'failure' }), 1);
    assert.equal(value(text, 'portcullis_mfa_verifications_total', { method: 'totp', result: 'failure' }), 1);
    assert.equal(value(text, 'portcullis_mfa_verifications_total', { method: 'unknown', result: 'throttled' }), 1);
    assert.equal(value(text, 'portcullis_tokens_issued_total', { grant_type: 'client_credentials' }), 1);
    assert.equal(value(text, 'portcullis_tokens_issued_total', { grant_type: 'other' }), 1);
    assert.doesNotMatch(text, /alice|a1|web-app/);
  });

  it('shows 1 on the fallback gauge exactly while Redis is configured and unreachable', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    let healthy = true;
    const limiter = { backend: 'redis', healthy: () => healthy } as unknown as Limiter;
    const lockout: Lockout = { limiter, close: async () => undefined };
    watchLockout(lockout, metrics);
    assert.equal(value(await metrics.registry.metrics(), 'portcullis_lockout_store_fallback'), 0);
    healthy = false;
    assert.equal(value(await metrics.registry.metrics(), 'portcullis_lockout_store_fallback'), 1);
    healthy = true;
    assert.equal(value(await metrics.registry.metrics(), 'portcullis_lockout_store_fallback'), 0);
  });

  it('shows argon2 computations waiting for a slot, and times each once it runs', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const limit = observeSlots(createLimiter(1), hashObserver(metrics));
    let release = () => {};
    const first = limit(() => new Promise<void>((resolve) => (release = resolve)));
    const second = limit(async () => undefined);
    const third = limit(async () => undefined);
    assert.equal(value(await metrics.registry.metrics(), 'portcullis_password_hash_queue'), 2);
    release();
    await Promise.all([first, second, third]);
    const text = await metrics.registry.metrics();
    assert.equal(value(text, 'portcullis_password_hash_queue'), 0);
    assert.equal(value(text, 'portcullis_password_hash_duration_seconds_count'), 3);
  });

  it('counts breach lookups by verdict, and reads the outbox size at scrape time', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const verdicts: BreachVerdict[] = ['breached', 'clean', 'clean', 'unavailable'];
    const counted = countBreachLookups({ enabled: true, lookup: async () => verdicts.shift() ?? 'clean' }, metrics.registry);
    for (let i = 0; i < 4; i += 1) await counted.lookup('whatever was typed');
    let pending = 3;
    registerOutboxGauge(metrics.registry, async () => pending);
    let text = await metrics.registry.metrics();
    assert.equal(value(text, 'portcullis_breach_check_total', { result: 'found' }), 1);
    assert.equal(value(text, 'portcullis_breach_check_total', { result: 'clean' }), 2);
    assert.equal(value(text, 'portcullis_breach_check_total', { result: 'unavailable' }), 1);
    assert.ok(!text.includes('whatever was typed'));
    assert.equal(value(text, 'portcullis_mail_outbox_pending'), 3);
    pending = 0;
    text = await metrics.registry.metrics();
    assert.equal(value(text, 'portcullis_mail_outbox_pending'), 0);
  });
});
