/**
 * Finding 21: a scheduled key change happens when it is due, not at the first sync after it.
 * The manager's timer is injected: the test sees the delay it asked for, moves the key clock by
 * exactly that much and fires it. The poll is set to an hour so it cannot do the work instead.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { createAuditBus } from '../../src/audit/bus.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createKeyManager, type KeyManager, type SetTimer } from '../../src/keys/manager.ts';
import { keyPolicy } from '../../src/keys/policy.ts';
import { createSealer } from '../../src/keys/sealing.ts';
import { localSignal } from '../../src/keys/signal.ts';
import type { Logger } from '../../src/platform/logger.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createEmbeddedStore } from '../../src/storage/embedded/index.ts';
import type { AuditRecord, Store } from '../../src/storage/port.ts';
import { captureLogger } from '../support/log-capture.ts';
import { tempDir } from '../support/tmp.ts';

const MIN = 60_000;
const T0 = Date.parse('2030-01-01T00:00:00Z');

interface Pending {
  run: () => Promise<void>;
  ms: number;
  cancelled: boolean;
}

async function rig(env: Record<string, string>, logger: Logger = createLogger('silent')) {
  const dir = await tempDir();
  const store: Store = await createEmbeddedStore(dir.path);
  const events: AuditRecord[] = [];
  const audit = createAuditBus((error) => {
    throw error;
  });
  audit.subscribe((event) => {
    events.push(event);
  });
  const clock = { ms: T0 };
  const timers: Pending[] = [];
  const setTimer: SetTimer = (run, ms) => {
    const pending: Pending = { run, ms, cancelled: false };
    timers.push(pending);
    return () => {
      pending.cancelled = true;
    };
  };
  const manager: KeyManager = createKeyManager({
    store,
    sealer: createSealer([randomBytes(32).toString('base64url')]),
    audit,
    logger,
    policy: keyPolicy(loadConfig(env), () => 900),
    now: () => new Date(clock.ms),
    signal: localSignal(),
    instanceId: 'test',
    syncIntervalMs: 3_600_000,
    setTimer,
  });
  const armed = () => timers.filter((timer) => !timer.cancelled);
  return {
    manager,
    events,
    clock,
    armed,
    async close() {
      await manager.close();
      await store.close();
      await dir.cleanup();
    },
  };
}

describe('key changes happen when due', () => {
  const rigs: Array<{ close(): Promise<void> }> = [];
  after(async () => {
    for (const r of rigs) await r.close();
  });

  it('publishes the next key and rotates to it at the moments the schedule says, with no poll in between', async () => {
    // Rotate hourly, lead 10 min 30 s: publish at 49 min 30 s, activate at 60 min.
    const r = await rig({ KEY_ROTATION_INTERVAL: '1h', JWKS_MAX_AGE: '10m', KEY_SYNC_INTERVAL: '30s' });
    rigs.push(r);
    await r.manager.prepare();
    await r.manager.watch(() => undefined);

    const [publish] = r.armed();
    assert.equal(publish?.ms, 49.5 * MIN, 'a timer for the publication of the next key');
    r.clock.ms += publish.ms;
    await publish.run();
    assert.equal(r.events.filter((e) => e.type === 'key.published').length, 2, 'ES256 and RS256 published at 49.5 min');

    const [activate] = r.armed();
    assert.equal(activate?.ms, 10.5 * MIN, 'a timer for the activation, one lead later');
    r.clock.ms += activate.ms;
    await activate.run();
    assert.equal(r.events.filter((e) => e.type === 'key.rotated').length, 2, 'both rotated at 60 min exactly');
    const current = (await r.manager.list()).find((key) => key.alg === 'ES256' && key.state === 'current');
    assert.equal(current?.activatesAt?.getTime(), T0 + 60 * MIN);
    assert.equal(r.armed().length, 1, 'one timer at a time');
  });

  it('warns at start-up when the rotation interval is shorter than the publish lead', async () => {
    const capture = captureLogger();
    // The case: rotate every 20 s, JWKS cached 10 min, sync every 30 s (lead 630 s).
    const r = await rig({ KEY_ROTATION_INTERVAL: '20s', JWKS_MAX_AGE: '10m', KEY_SYNC_INTERVAL: '30s' }, capture.logger);
    rigs.push(r);
    await r.manager.prepare();
    await r.manager.watch(() => undefined);
    const warning = capture.warnings().find((line) => /KEY_ROTATION_INTERVAL/.test(line.msg));
    assert.ok(warning, 'a warning names KEY_ROTATION_INTERVAL');
    assert.equal(warning.rotation_interval_s, 20);
    assert.equal(warning.publish_lead_s, 630);
  });
});
