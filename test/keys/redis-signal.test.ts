/** The key-change signal over a real redis-server: delivery, echo suppression, outages. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRedisSignal } from '../../src/keys/redis-signal.ts';
import type { KeySignal } from '../../src/keys/signal.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { REDIS_SKIP, startRedis, type TestRedis } from '../support/redis.ts';

async function eventually(what: string, check: () => boolean, deadlineMs = 5000): Promise<void> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > deadlineMs) assert.fail(`${what}: not within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('Redis key-change signal', { skip: REDIS_SKIP }, () => {
  let redis: TestRedis;
  let a: KeySignal;
  let b: KeySignal;
  const heard = { a: 0, b: 0 };

  before(async () => {
    redis = await startRedis();
    a = await createRedisSignal(redis.url, 'instance-a', createLogger('silent'));
    b = await createRedisSignal(redis.url, 'instance-b', createLogger('silent'));
    await a.subscribe(() => {
      heard.a += 1;
    });
    await b.subscribe(() => {
      heard.b += 1;
    });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
  });

  it('reaches the other instance and not the sender', async () => {
    await a.publish();
    await eventually('b hears a', () => heard.b === 1);
    assert.equal(heard.a, 0);
  });

  it('survives a Redis outage: publishing fails quietly, and a reconnect triggers a re-read', async () => {
    const before = { ...heard };
    await redis.stop();
    // Resolves instead of throwing: the store poll carries the change meanwhile.
    await a.publish();
    redis = await startRedis(redis.port);
    // Messages sent while the subscriber was away are lost, so reconnecting counts as a change.
    await eventually('both re-read after reconnecting', () => heard.a > before.a && heard.b > before.b, 10_000);
    const afterReconnect = heard.b;
    await a.publish();
    await eventually('signals flow again', () => heard.b > afterReconnect);
  });
});
