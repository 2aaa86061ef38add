/**
 * Where fetched ranges of the breach corpus are kept, so the same five-character prefix is not
 * asked twice within a day: in Redis when REDIS_URL is set (shared by every instance), otherwise
 * in this process.
 *
 * A range is public data (anyone may fetch it), so keeping it reveals nothing about a password.
 * It is kept compactly: each real row (count > 0; padding rows are dropped) as the first 8 bytes
 * (64 bits) of its 35-hex-character suffix, sorted, in one Buffer. A range has ~1,000 rows, so
 * ~8 KiB; a clean password matches a truncated row by chance with odds ~1,000 / 2^64.
 */
import type { Logger } from '../platform/logger.ts';
import { createRedis } from '../platform/redis.ts';

/** Sorted 8-byte keys of the range's real rows. */
export type Range = Buffer;

export const ROW_BYTES = 8;
/** A day: the corpus changes a few times a year, and a day bounds how stale a verdict can be. */
export const RANGE_TTL_SECONDS = 24 * 3600;
/** ~1,024 ranges × ~8 KiB ≈ 8 MiB at most in one process. */
export const MEMORY_RANGES = 1024;

export interface RangeCache {
  get(prefix: string): Promise<Range | undefined>;
  set(prefix: string, range: Range): Promise<void>;
  close(): Promise<void>;
}

/** The 8-byte key of a 35-hex-character suffix (the first 16 characters). */
export function rowKey(suffix: string): Buffer {
  return Buffer.from(suffix.slice(0, ROW_BYTES * 2), 'hex');
}

export function toRange(suffixes: Iterable<string>): Range {
  const keys = [...suffixes].map(rowKey).sort(Buffer.compare);
  return Buffer.concat(keys);
}

/** Binary search over the sorted keys. */
export function rangeHas(range: Range, suffix: string): boolean {
  const key = rowKey(suffix);
  let low = 0;
  let high = Math.floor(range.length / ROW_BYTES) - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const order = Buffer.compare(range.subarray(middle * ROW_BYTES, (middle + 1) * ROW_BYTES), key);
    if (order === 0) return true;
    if (order < 0) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

/** Least recently used first out (a Map keeps insertion order; a hit moves the range to the end). */
export function memoryRangeCache(capacity = MEMORY_RANGES, now: () => number = Date.now): RangeCache {
  const ranges = new Map<string, { range: Range; until: number }>();
  return {
    async get(prefix) {
      const entry = ranges.get(prefix);
      if (!entry) return undefined;
      ranges.delete(prefix);
      if (entry.until <= now()) return undefined;
      ranges.set(prefix, entry);
      return entry.range;
    },
    async set(prefix, range) {
      ranges.delete(prefix);
      ranges.set(prefix, { range, until: now() + RANGE_TTL_SECONDS * 1000 });
      while (ranges.size > capacity) ranges.delete(ranges.keys().next().value as string);
    },
    async close() {
      ranges.clear();
    },
  };
}

const KEY_PREFIX = 'portcullis:pwned-range:';
/** Redis trouble is logged at most this often; the lookup then simply asks the API. */
const WARN_EVERY_MS = 60_000;

/** Ranges in Redis (the `cache` client of platform/redis.ts: fails fast, never holds a lookup up). */
export async function openRangeCache(url: string, logger: Logger): Promise<RangeCache & { ready: Promise<void> }> {
  const redis = await createRedis(url, 'cache');
  let lastWarning = 0;
  const trouble = (error: unknown) => {
    if (Date.now() - lastWarning < WARN_EVERY_MS) return;
    lastWarning = Date.now();
    logger.warn(
      { channel: 'breach', err: error instanceof Error ? error.message : String(error) },
      'breach range cache: Redis unavailable, asking the range API',
    );
  };
  redis.on('error', trouble);
  // Until connected, lookups skip the cache (no offline queue: a lookup never waits on Redis).
  const ready = redis.connect().catch(trouble);
  return {
    ready,
    async get(prefix) {
      try {
        return (await redis.getBuffer(KEY_PREFIX + prefix)) ?? undefined;
      } catch (error) {
        trouble(error);
        return undefined;
      }
    },
    async set(prefix, range) {
      try {
        await redis.set(KEY_PREFIX + prefix, range, 'EX', RANGE_TTL_SECONDS);
      } catch (error) {
        trouble(error);
      }
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
