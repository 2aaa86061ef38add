/**
 * Opens the lockout domain: counters in Redis when REDIS_URL is set (with the in-process
 * insurance store), in this process otherwise — and says which at start-up.
 */

import type { Config } from '../config/index.ts';
import type { Logger } from '../platform/logger.ts';
import type { CounterBackend } from './counters.ts';
import { buildDimensions } from './dimensions.ts';
import { createLimiter, type Limiter } from './limiter.ts';
import { memoryCounters } from './memory-counters.ts';

export interface Lockout {
  limiter: Limiter;
  close(): Promise<void>;
}

/** `now` drives the in-process store (tests move it); Redis keeps its own time. */
export async function openLockout(config: Config, logger: Logger, now: () => number = Date.now): Promise<Lockout> {
  let backend: CounterBackend;
  if (config.redisUrl) {
    // Loaded only with REDIS_URL: ioredis and rate-limiter-flexible stay out of a single instance.
    const [{ redisCounters }, { connectRedis, createFallbackAlarm }] = await Promise.all([import('./counters.ts'), import('./redis.ts')]);
    const alarm = createFallbackAlarm(logger);
    backend = redisCounters(await connectRedis(config.redisUrl, alarm, logger), alarm);
  } else {
    logger.warn('REDIS_URL not set: lockout counters live in this process only (fine for one instance; every instance of a cluster needs Redis)');
    backend = memoryCounters(now);
  }
  return { limiter: createLimiter(backend, buildDimensions(config.lockout)), close: () => backend.close() };
}
