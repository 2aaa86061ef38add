/**
 * Several counters read from Redis in one command: a Lua script that returns, for each key, its
 * value and its remaining lifetime (what rate-limiter-flexible's `get` reads with MULTI GET PTTL
 * EXEC, one key per round trip). A request's guard asks for up to five keys; this makes them one
 * round trip and one command. Read-only, so it is atomic without locking anything.
 */
import type { Redis } from '../platform/redis.ts';
import type { Counter } from './counters.ts';

const SCRIPT = `
local out = {}
for i, key in ipairs(KEYS) do
  out[2 * i - 1] = redis.call('get', key) or false
  out[2 * i] = redis.call('pttl', key)
end
return out
`;

const COMMAND = 'portcullisReadCounters';

type WithRead = Redis & { [COMMAND](count: number, ...keys: string[]): Promise<Array<string | number | null>> };

/** Defined once per connection; ioredis sends EVALSHA and falls back to EVAL after a restart (NOSCRIPT). */
function withRead(redis: Redis): WithRead {
  const client = redis as WithRead;
  if (typeof client[COMMAND] !== 'function') redis.defineCommand(COMMAND, { lua: SCRIPT });
  return client;
}

export async function readMany(redis: Redis, keys: readonly string[]): Promise<Array<Counter | undefined>> {
  const flat = await withRead(redis)[COMMAND](keys.length, ...keys);
  return keys.map((_key, index) => {
    const value = flat[2 * index];
    const msLeft = Number(flat[2 * index + 1]);
    // As counters.ts `get`: a key without a value, or one that has just expired, is no counter.
    if (value === null || value === undefined || !(msLeft > 0 || msLeft === -1)) return undefined;
    return { count: Number.parseInt(String(value), 10), msLeft };
  });
}
