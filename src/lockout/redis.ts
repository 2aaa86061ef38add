/**
 * The Redis connection behind the lockout counters (tuned to fail fast: platform/redis.ts), and
 * the alarm that says loudly when the counters fall back to this process and when they return.
 */
import type { Logger } from '../platform/logger.ts';
import { createRedis, type Redis } from '../platform/redis.ts';

/** While on the fallback, repeat the alarm at most this often. */
const ALARM_REPEAT_MS = 60_000;

/** Says loudly when counters leave Redis and when they come back. */
export interface FallbackAlarm {
  /** Called on every operation the in-process store answers instead of Redis. */
  fallback(): void;
  recovered(): void;
  readonly active: boolean;
}

export function createFallbackAlarm(logger: Logger, now: () => number = Date.now): FallbackAlarm {
  let active = false;
  let lastAlarm = 0;
  let operations = 0;
  return {
    fallback() {
      operations += 1;
      if (active && now() - lastAlarm < ALARM_REPEAT_MS) return;
      logger.error(
        { channel: 'lockout', operations },
        active
          ? 'Redis still unreachable: lockout counters remain in this process only'
          : 'Redis unreachable: lockout counters fall back to this process only (not shared with other instances) until it returns',
      );
      active = true;
      lastAlarm = now();
    },
    recovered() {
      if (!active) return;
      logger.warn({ channel: 'lockout', operations }, 'Redis reachable again: lockout counters are shared again');
      active = false;
      operations = 0;
    },
    get active() {
      return active;
    },
  };
}

export async function connectRedis(url: string, alarm: FallbackAlarm, logger: Logger): Promise<Redis> {
  const redis = await createRedis(url, 'counters');
  let lastError = 0;
  redis.on('error', (error: Error) => {
    // ioredis reports every failed reconnection; one line a minute is enough.
    if (Date.now() - lastError < ALARM_REPEAT_MS) return;
    lastError = Date.now();
    logger.error({ channel: 'lockout', err: error }, 'Redis connection error');
  });
  redis.on('ready', () => alarm.recovered());
  try {
    await redis.connect();
  } catch {
    alarm.fallback();
  }
  return redis;
}
