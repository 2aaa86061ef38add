/**
 * The in-process counter store for a single instance (no REDIS_URL), read by an injected clock
 * so that tests move time instead of sleeping, and so that every in-process wait — MFA codes
 * included — follows the same clock as the TOTP steps. Keys expire lazily (checked on read);
 * expired ones are swept every SWEEP_EVERY writes, so the map stays bounded by live keys.
 * Redis's insurance store stays rate-limiter-flexible's (counters.ts): it must mirror Redis.
 */
import type { Counter, CounterBackend, CounterFamily } from './counters.ts';
import { globToRegExp } from './keys.ts';

interface Entry {
  count: number;
  /** Epoch ms; undefined for keys that never expire. */
  expiresAt: number | undefined;
}

const SWEEP_EVERY = 1000;

export function memoryCounters(now: () => number = () => Date.now()): CounterBackend {
  // A read of several counters (the token endpoint's guard reads up to six) is answered at once,
  // from the maps, not as a promise per counter.
  const readers = new WeakMap<CounterFamily, (key: string) => Counter | undefined>();
  return {
    kind: 'memory',
    healthy: () => true,
    async read(reads) {
      return reads.map((read) => {
        const reader = readers.get(read.family);
        if (!reader) throw new Error('memory counters: a read names a family of another backend');
        return reader(read.key);
      });
    },
    family(_name, seconds): CounterFamily {
      const entries = new Map<string, Entry>();
      let writes = 0;
      const live = (key: string): Entry | undefined => {
        const entry = entries.get(key);
        if (entry?.expiresAt !== undefined && entry.expiresAt <= now()) {
          entries.delete(key);
          return undefined;
        }
        return entry;
      };
      const counter = (entry: Entry): Counter => ({ count: entry.count, msLeft: entry.expiresAt === undefined ? -1 : entry.expiresAt - now() });
      const write = (key: string, entry: Entry) => {
        entries.set(key, entry);
        writes += 1;
        if (writes % SWEEP_EVERY === 0) for (const name of [...entries.keys()]) live(name);
      };
      const expiry = (ttl: number) => (ttl > 0 ? now() + ttl * 1000 : undefined);
      const peek = (key: string) => {
        const entry = live(key);
        return entry ? counter(entry) : undefined;
      };
      const family: CounterFamily = {
        async add(key) {
          const entry = live(key);
          if (entry) {
            entry.count += 1;
            return counter(entry);
          }
          const fresh = { count: 1, expiresAt: expiry(seconds) };
          write(key, fresh);
          return counter(fresh);
        },
        async get(key) {
          return peek(key);
        },
        async put(key, value, ttl) {
          write(key, { count: value, expiresAt: expiry(ttl) });
        },
        async delete(key) {
          entries.delete(key);
        },
        async deleteMatching(pattern) {
          const match = globToRegExp(pattern);
          for (const key of [...entries.keys()]) if (match.test(key)) entries.delete(key);
        },
      };
      readers.set(family, peek);
      return family;
    },
    async close() {},
  };
}
