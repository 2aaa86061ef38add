/** An MFA service over a fresh embedded store, with a clock the test moves. */
import { randomBytes } from 'node:crypto';
import { type AuditBus, createAuditBus } from '../../src/audit/bus.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createSealer } from '../../src/keys/sealing.ts';
import { memoryCounters } from '../../src/lockout/counters.ts';
import { buildDimensions } from '../../src/lockout/dimensions.ts';
import { createLimiter } from '../../src/lockout/limiter.ts';
import { createMfaGuard } from '../../src/lockout/mfa-guard.ts';
import type { MfaAttemptLimiter } from '../../src/mfa/attempts.ts';
import { createMfaService, type MfaService } from '../../src/mfa/service.ts';
import { createTotp } from '../../src/mfa/totp.ts';
import { createEmbeddedStore } from '../../src/storage/embedded/index.ts';
import type { AuditRecord, Store } from '../../src/storage/port.ts';
import { TestClock } from './mfa.ts';
import { tempDir } from './tmp.ts';

export interface Fixture {
  clock: TestClock;
  store: Store;
  mfa: MfaService;
  audit: AuditBus;
  events: AuditRecord[];
  close(): Promise<void>;
}

// 2023-11-14T22:13:20Z, 10 s into a 30-second step: far from a step boundary.
export const START = 1_700_000_000_000;

export async function fixture(limiter?: MfaAttemptLimiter): Promise<Fixture> {
  const dir = await tempDir();
  const store = await createEmbeddedStore(dir.path);
  const clock = new TestClock(START);
  const events: AuditRecord[] = [];
  const audit = createAuditBus((error) => {
    throw error;
  });
  audit.subscribe((event) => {
    events.push(event);
  });
  const mfa = createMfaService({
    repo: store.mfa,
    sealer: createSealer([randomBytes(32).toString('base64url')]),
    totp: createTotp(clock.now),
    limiter: limiter ?? createMfaGuard(createLimiter(memoryCounters(clock.now), buildDimensions(loadConfig({}).lockout))),
    audit,
    issuer: 'id.example.com',
    now: clock.now,
  });
  return {
    clock,
    store,
    mfa,
    audit,
    events,
    async close() {
      await store.close();
      await dir.cleanup();
    },
  };
}
