/**
 * The key manager on a real (embedded) store with an injected clock: hours of schedule pass in
 * milliseconds, and every state change is checked against the policy and the audit trail.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createAuditBus } from '../../src/audit/bus.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { KeyOperationError } from '../../src/keys/errors.ts';
import type { PrivateJwk } from '../../src/keys/keystore.ts';
import { createKeyManager, type KeyManager } from '../../src/keys/manager.ts';
import { keyPolicy } from '../../src/keys/policy.ts';
import { createSealer } from '../../src/keys/sealing.ts';
import { localSignal } from '../../src/keys/signal.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createEmbeddedStore } from '../../src/storage/embedded/index.ts';
import type { AuditRecord, KeyRecord, Store } from '../../src/storage/port.ts';
import { tempDir } from '../support/tmp.ts';

const MIN = 60_000;
const T0 = Date.parse('2030-01-01T00:00:00Z');
// Rotate hourly; JWKS cached 10 min, sync 30 s: lead 10.5 min. Tokens live 15 min: retention 20.5 min.
const config = loadConfig({ KEY_ROTATION_INTERVAL: '1h', JWKS_MAX_AGE: '10m', KEY_SYNC_INTERVAL: '30s' });
const policy = keyPolicy(config, () => 900);

interface Rig {
  store: Store;
  events: AuditRecord[];
  clock: { ms: number };
  /** A manager on the store; `keyEncryptionKeys` replaces the rig's (encryption-key rotation). */
  manager(keyEncryptionKeys?: string[]): KeyManager;
  keyEncryptionKey: string;
}

async function rig(path: string): Promise<Rig> {
  const store = await createEmbeddedStore(path);
  const events: AuditRecord[] = [];
  const audit = createAuditBus((error) => {
    throw error;
  });
  audit.subscribe((event) => {
    events.push(event);
  });
  const keyEncryptionKey = randomBytes(32).toString('base64url');
  const clock = { ms: T0 };
  return {
    store,
    events,
    clock,
    keyEncryptionKey,
    manager: (keyEncryptionKeys = [keyEncryptionKey]) =>
      createKeyManager({
        store,
        sealer: createSealer(keyEncryptionKeys),
        audit,
        logger: createLogger('silent'),
        policy,
        now: () => new Date(clock.ms),
        signal: localSignal(),
        instanceId: `test-${randomBytes(4).toString('hex')}`,
        // The timer must not fire during the test: syncs are driven by hand.
        syncIntervalMs: 3_600_000,
      }),
  };
}

const count = (events: AuditRecord[], type: string) => events.filter((event) => event.type === type).length;

describe('key manager over three hours of injected time', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let r: Rig;
  let manager: KeyManager;
  const handed: PrivateJwk[][] = [];
  const history = new Map<string, string[]>();
  const snapshots: Array<{ at: number; keys: KeyRecord[] }> = [];

  before(async () => {
    dir = await tempDir();
    r = await rig(dir.path);
    manager = r.manager();
    await manager.prepare();
    await manager.watch((jwks) => handed.push(jwks));
    for (let t = 0; t <= 185 * MIN; t += MIN) {
      r.clock.ms = T0 + t;
      await manager.sync();
      const keys = await manager.list();
      snapshots.push({ at: r.clock.ms, keys });
      for (const key of keys) {
        const seen = history.get(key.kid) ?? [];
        if (seen.at(-1) !== key.state) seen.push(key.state);
        history.set(key.kid, seen);
      }
    }
  });
  after(async () => {
    await manager.close();
    await r.store.close();
    await dir.cleanup();
  });

  it('moves every key through next → current → previous → retired, in that order only', () => {
    const order = ['next', 'current', 'previous', 'retired'];
    for (const [kid, states] of history) {
      const start = order.indexOf(states[0] as string);
      assert.deepEqual(states, order.slice(start, start + states.length), `key ${kid} went ${states.join(' → ')}`);
    }
    // Hourly rotations at 1h, 2h, 3h for each of ES256 and RS256.
    assert.equal(count(r.events, 'key.rotated'), 6);
    assert.equal(count(r.events, 'key.published'), 6);
    assert.equal(count(r.events, 'key.created'), 2, 'the first key of each algorithm');
    // Demoted at 1h and 2h, retired 20.5 min later; the one demoted at 3h is still published.
    assert.equal(count(r.events, 'key.retired'), 4);
  });

  it('publishes each key at least one lead before it signs and keeps it for the whole retention', () => {
    const final = snapshots.at(-1)?.keys ?? [];
    for (const key of final.filter((k) => k.activatesAt && k.activatesAt.getTime() > T0)) {
      assert.ok((key.activatesAt?.getTime() ?? 0) - key.createdAt.getTime() >= policy.publishLead, `${key.kid} published too late`);
    }
    for (const key of final.filter((k) => k.state === 'retired')) {
      const retiredAt = snapshots.find((s) => s.keys.some((k) => k.kid === key.kid && k.state === 'retired'))?.at ?? 0;
      assert.ok(retiredAt - (key.deactivatedAt?.getTime() ?? Infinity) >= policy.retention(), `${key.kid} retired too early`);
    }
  });

  it('always has exactly one signing key per algorithm, and never reuses a kid', () => {
    for (const { at, keys } of snapshots) {
      for (const alg of ['ES256', 'RS256']) {
        assert.equal(keys.filter((k) => k.alg === alg && k.state === 'current').length, 1, `${alg} at ${new Date(at).toISOString()}`);
      }
    }
    const kids = (snapshots.at(-1)?.keys ?? []).map((k) => k.kid);
    assert.equal(new Set(kids).size, kids.length);
    assert.equal(kids.length, 8, 'two first keys and three rotations per algorithm');
  });

  it('hands each changed key set over with the current key first', () => {
    // Both algorithms change in the same sync: 3 publications + 3 rotations + 2 retirements.
    assert.equal(handed.length, 8, 'one provider rebuild per changed key set, none for syncs that changed nothing');
    const final = snapshots.at(-1)?.keys ?? [];
    const last = handed.at(-1) ?? [];
    const current = final.find((k) => k.alg === 'ES256' && k.state === 'current');
    assert.equal(last.find((jwk) => jwk.alg === 'ES256')?.kid, current?.kid);
    assert.ok(
      last.every((jwk) => typeof jwk.d === 'string'),
      'private keys, opened from their sealed form',
    );
    assert.deepEqual(
      last.map((jwk) => jwk.kid).sort(),
      final
        .filter((k) => ['next', 'current', 'previous'].includes(k.state))
        .map((k) => k.kid)
        .sort(),
    );
  });
});

describe('key manager operations', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let r: Rig;
  let manager: KeyManager;
  before(async () => {
    dir = await tempDir();
    r = await rig(dir.path);
    manager = r.manager();
    await manager.prepare();
    await manager.watch(() => undefined);
  });
  after(async () => {
    await manager.close();
    await r.store.close();
    await dir.cleanup();
  });

  const es = async (state: string) => (await manager.list()).filter((k) => k.alg === 'ES256' && k.state === state);

  it('rotate publishes a next key that signs one lead later; --now makes it sign at once', async () => {
    const [first] = await es('current');
    await manager.rotate({ alg: 'ES256' });
    const [next] = await es('next');
    assert.ok(next && first);
    assert.equal(next.activatesAt?.getTime(), r.clock.ms + policy.publishLead);
    // Asking again moves nothing earlier than one lead after publication.
    r.clock.ms += MIN;
    await manager.rotate({ alg: 'ES256' });
    assert.equal((await es('next'))[0]?.activatesAt?.getTime(), next.createdAt.getTime() + policy.publishLead);
    assert.equal(count(r.events, 'key.rescheduled'), 1);
    assert.equal((await es('current'))[0]?.kid, first.kid, 'still signing with the first key');
    await manager.rotate({ alg: 'ES256', immediate: true });
    assert.equal((await es('current'))[0]?.kid, next.kid);
    assert.equal((await es('previous'))[0]?.kid, first.kid);
  });

  it('revoke replaces the signing key at once', async () => {
    const [signing] = await es('current');
    assert.ok(signing);
    await manager.revoke(signing.kid);
    const keys = await manager.list();
    assert.equal(keys.find((k) => k.kid === signing.kid)?.state, 'revoked');
    const [replacement] = await es('current');
    assert.ok(replacement && replacement.kid !== signing.kid);
    const revoked = r.events.find((event) => event.type === 'key.revoked');
    assert.deepEqual(revoked?.detail, { kid: signing.kid, alg: 'ES256', was: 'current' });
  });

  it('refuses to revoke an unknown or revoked key, with a code', async () => {
    const revoked = (await manager.list()).find((k) => k.state === 'revoked');
    await assert.rejects(manager.revoke('no-such-kid'), (error: unknown) => (error as KeyOperationError).code === 'key_not_found');
    await assert.rejects(manager.revoke(revoked?.kid ?? ''), (error: unknown) => (error as KeyOperationError).code === 'key_already_revoked');
  });

  it('repairs two current keys left by an interrupted rotation', async () => {
    const [signing] = await es('current');
    assert.ok(signing);
    const { kid: _kid, ...copy } = signing;
    await r.store.keys.insert({ ...copy, kid: 'older-current', activatesAt: new Date(r.clock.ms - MIN) });
    await manager.sync();
    assert.equal((await manager.list()).find((k) => k.kid === 'older-current')?.state, 'previous');
    assert.deepEqual(r.events.find((event) => event.type === 'key.demoted')?.detail, { kids: ['older-current'] });
  });

  it('a fresh manager on the same store (a restart) finds the same keys in the same states', async () => {
    const before = await manager.list();
    const again = r.manager();
    const jwks = await again.prepare();
    assert.deepEqual(await again.list(), before, 'prepare created or changed nothing');
    const current = before.find((k) => k.alg === 'ES256' && k.state === 'current');
    assert.equal(jwks.find((jwk) => jwk.alg === 'ES256')?.kid, current?.kid);
    await again.close();
  });

  it('after the key-encryption key is replaced, revoking the published keys leaves none sealed with the old one', async () => {
    const fresh = randomBytes(32).toString('base64url');
    const both = r.manager([fresh, r.keyEncryptionKey]);
    await both.prepare();
    for (const key of await both.list()) {
      if (['next', 'current', 'previous'].includes(key.state)) await both.revoke(key.kid);
    }
    await both.close();
    const onlyNew = r.manager([fresh]);
    const jwks = await onlyNew.prepare();
    assert.deepEqual(jwks.map((jwk) => jwk.alg).sort(), ['ES256', 'RS256'], 'opened with the new key alone');
    await onlyNew.close();
    await assert.rejects(r.manager([randomBytes(32).toString('base64url')]).prepare(), /no longer configured/);
  });
});
