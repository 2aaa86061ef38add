/**
 * The one place Redis clients are made. Each use has its own tuning, named here so that the
 * differences are visible side by side:
 * - `counters` (lockout): fail fast rather than wait. A command sent while disconnected fails at
 *   once (no offline queue) and one without an answer fails after 500 ms; rate-limiter-flexible then
 *   hands it to the in-process insurance store. Reconnection goes on forever in the background.
 * - `publisher` (key-change signal): one retry, 1 s per command; a lost publish is left to the poll.
 * - `subscriber`: waits as long as it takes (a subscription is not a request anyone waits on).
 * - `cache` (breach ranges): like `counters`, but 250 ms a command: a miss costs one range fetch,
 *   a wait would eat the lookup's 1.5 s budget.
 *
 * ioredis (~29 MiB resident once imported) is loaded by the first client made, so a server
 * without REDIS_URL never loads it (platform/lazy.ts).
 */
import type { Redis, RedisOptions } from 'ioredis';
import { lazy } from './lazy.ts';

export type { Redis };

export type RedisUse = 'counters' | 'publisher' | 'subscriber' | 'cache';

/** A hung Redis costs a login at most this much before the fallback answers. */
const COUNTER_COMMAND_TIMEOUT_MS = 500;
/** Between reconnection attempts of the counters' client: 200 ms, 400 ms … then every 2 s. */
const RECONNECT_CAP_MS = 2000;

const OPTIONS: Record<RedisUse, RedisOptions> = {
  counters: {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COUNTER_COMMAND_TIMEOUT_MS,
    connectTimeout: 2000,
    // At shutdown after an outage ioredis leaves this timer running on an already closed socket.
    disconnectTimeout: 200,
    retryStrategy: (attempt: number) => Math.min(attempt * 200, RECONNECT_CAP_MS),
  },
  publisher: { maxRetriesPerRequest: 1, commandTimeout: 1000 },
  subscriber: { maxRetriesPerRequest: null },
  cache: {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 250,
    connectTimeout: 2000,
    disconnectTimeout: 200,
    retryStrategy: (attempt: number) => Math.min(attempt * 200, RECONNECT_CAP_MS),
  },
};

const loadIoredis = lazy(() => import('ioredis'));

export async function createRedis(url: string, use: RedisUse): Promise<Redis> {
  const { Redis } = await loadIoredis();
  return new Redis(url, OPTIONS[use]);
}
