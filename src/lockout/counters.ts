/**
 * Counter storage on rate-limiter-flexible: Redis when REDIS_URL is set — every instance sees
 * the same counters — with an in-process insurance store that answers whenever Redis cannot
 * (never a 500, never silently unlimited, and loudly logged through the FallbackAlarm); the
 * clock-driven in-process store of memory-counters.ts alone otherwise. A family is one key prefix with one default lifetime.
 */

import { RateLimiterMemory, RateLimiterRedis, type RateLimiterRes } from 'rate-limiter-flexible';
import type { Redis } from '../platform/redis.ts';
import { globToRegExp } from './keys.ts';
import type { FallbackAlarm } from './redis.ts';
import { readMany } from './redis-read.ts';

export { memoryCounters } from './memory-counters.ts';

export interface Counter {
  count: number;
  /** Milliseconds until the key expires; -1 for keys that never do. */
  msLeft: number;
}

export interface CounterFamily {
  /** Adds one; the lifetime starts with the first add and is not extended by later ones. */
  add(key: string): Promise<Counter>;
  get(key: string): Promise<Counter | undefined>;
  /** Sets a value for `seconds` (0: until deleted). */
  put(key: string, value: number, seconds: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Deletes every key matching a glob made by keys.ts `patternFor`. */
  deleteMatching(pattern: string): Promise<void>;
}

/** One key of one family, for a read of several at once. */
export interface CounterRead {
  family: CounterFamily;
  key: string;
}

export interface CounterBackend {
  readonly kind: 'redis' | 'memory';
  /** False while Redis is configured but not connected (operator changes would not be shared). */
  healthy(): boolean;
  family(name: string, seconds: number): CounterFamily;
  /** `get` of several keys (of this backend's families) at once: with Redis one command, one round trip. */
  read(reads: readonly CounterRead[]): Promise<Array<Counter | undefined>>;
  close(): Promise<void>;
}

const PREFIX = 'portcullis:lockout';
/** The libraries' `points` are unused here (we read counts, never `consume`); it must be finite. */
const UNLIMITED = 2 ** 31;

/**
 * The in-process store expires keys with setTimeout, which overflows past 2^31 ms (24.8 days)
 * and would then fire at once; longer lifetimes (LOCKOUT_KNOWN_ADDRESS_TTL=30d) are shortened
 * to 24 days in memory. Redis keeps them in full.
 */
const MEMORY_MAX_SECONDS = 24 * 86400;
const clamp = (seconds: number) => Math.min(seconds, MEMORY_MAX_SECONDS);

/**
 * The in-process store. As Redis's insurance it raises the alarm whenever it has to answer
 * (`alarm` set); on its own it is simply the store.
 */
class InProcess extends RateLimiterMemory {
  alarm: FallbackAlarm | undefined;
  constructor(keyPrefix: string, seconds: number) {
    super({ keyPrefix, points: UNLIMITED, duration: clamp(seconds) });
  }
  override consume(...args: Parameters<RateLimiterMemory['consume']>) {
    this.alarm?.fallback();
    return super.consume(...args);
  }
  override penalty(...args: Parameters<RateLimiterMemory['penalty']>) {
    this.alarm?.fallback();
    return super.penalty(...args);
  }
  override get(...args: Parameters<RateLimiterMemory['get']>) {
    this.alarm?.fallback();
    return super.get(...args);
  }
  override set(key: string | number, points: number, seconds: number) {
    this.alarm?.fallback();
    return super.set(key, points, clamp(seconds));
  }
  override block(...args: Parameters<RateLimiterMemory['block']>) {
    this.alarm?.fallback();
    return super.block(...args);
  }
  override delete(...args: Parameters<RateLimiterMemory['delete']>) {
    this.alarm?.fallback();
    return super.delete(...args);
  }
  /** Cleans up after an operator's unlock without counting as a fallback. */
  quietDelete(key: string): Promise<boolean> {
    return super.delete(key);
  }
}

const toCounter = (res: RateLimiterRes): Counter => ({ count: res.consumedPoints, msLeft: res.msBeforeNext });

async function deleteFromMemory(memory: InProcess, pattern: string, remove: (key: string) => Promise<unknown>) {
  const match = globToRegExp(pattern);
  await Promise.all(
    memory
      .dump()
      .storage.filter((entry) => match.test(String(entry.key)))
      .map((entry) => remove(String(entry.key))),
  );
}

/** The fallback of a batched read: each key on its own, each handed to the insurance store if Redis fails. */
const eachOnItsOwn = (reads: readonly CounterRead[]) => Promise.all(reads.map((read) => read.family.get(read.key)));

export function redisCounters(redis: Redis, alarm: FallbackAlarm): CounterBackend {
  /** Where each family keeps its keys in Redis (rate-limiter-flexible's `${keyPrefix}:${key}`). */
  const prefixes = new WeakMap<CounterFamily, string>();
  return {
    kind: 'redis',
    healthy: () => redis.status === 'ready',
    async read(reads) {
      const keys = reads.map((read) => `${prefixes.get(read.family) ?? ''}:${read.key}`);
      if (redis.status !== 'ready' || keys.some((key) => key.startsWith(':'))) return eachOnItsOwn(reads);
      try {
        return await readMany(redis, keys);
      } catch {
        // A timeout or a lost connection: the same answer from the keys one by one (insurance included).
        return eachOnItsOwn(reads);
      }
    },
    family(name, seconds) {
      const keyPrefix = `${PREFIX}:${name}`;
      const insurance = new InProcess(keyPrefix, seconds);
      insurance.alarm = alarm;
      const store = new RateLimiterRedis({
        storeClient: redis,
        keyPrefix,
        points: UNLIMITED,
        duration: seconds,
        // Not connected: go to the insurance at once instead of waiting for a timeout.
        rejectIfRedisNotReady: true,
        insuranceLimiter: insurance,
      });
      const family: CounterFamily = {
        add: async (key) => toCounter(await store.penalty(key, 1)),
        async get(key) {
          const res = await store.get(key);
          return res && (res.msBeforeNext > 0 || res.msBeforeNext === -1) ? toCounter(res) : undefined;
        },
        async put(key, value, ttl) {
          await store.set(key, value, ttl);
        },
        async delete(key) {
          await Promise.all([store.delete(key), insurance.quietDelete(key)]);
        },
        async deleteMatching(pattern) {
          await deleteFromMemory(insurance, pattern, (key) => insurance.quietDelete(key));
          // SCAN walks the key space in steps; an operator's unlock can afford it.
          let cursor = '0';
          do {
            const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}:${pattern}`, 'COUNT', 500);
            if (keys.length > 0) await redis.unlink(...keys);
            cursor = next;
          } while (cursor !== '0');
        },
      };
      prefixes.set(family, keyPrefix);
      return family;
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
