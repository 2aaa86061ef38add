/**
 * The Redis connection behind the lockout counters, tuned to fail fast rather than wait:
 * a command sent while disconnected fails at once (no offline queue) and one that gets no
 * answer fails after COMMAND_TIMEOUT_MS; either way rate-limiter-flexible hands it to the
 * in-process insurance store (counters.ts). Reconnection goes on forever in the background.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../audit/logger.ts';

/** A hung Redis costs a login at most this much before the fallback answers. */
const COMMAND_TIMEOUT_MS = 500;
/** Between reconnection attempts: 200 ms, 400 ms … then every 2 s. */
const RECONNECT_CAP_MS = 2000;
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
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 2000,
    // At shutdown after an outage ioredis leaves this timer running on an already closed socket.
    disconnectTimeout: 200,
    retryStrategy: (attempt: number) => Math.min(attempt * 200, RECONNECT_CAP_MS),
  });
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
