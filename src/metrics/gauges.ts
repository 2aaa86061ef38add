/**
 * Metrics read at scrape time rather than counted: the signing keys and whether the lockout
 * counters run on the in-process fallback. Their collect() callbacks run only when Prometheus
 * scrapes, so they add nothing to any request.
 */
import { Gauge, type Registry } from 'prom-client';
import type { KeyRecord, KeyState } from '../storage/port.ts';

const KEY_STATES: readonly KeyState[] = ['next', 'current', 'previous', 'retired', 'revoked'];

export interface KeySource {
  list(): Promise<KeyRecord[]>;
}

export function registerKeyGauges(registry: Registry, keys: KeySource, now: () => Date): void {
  // Each gauge lists the keys itself: two small store reads per scrape, none per request.
  const listing = () => keys.list();
  new Gauge({
    name: 'portcullis_signing_keys',
    help: 'Signing keys by state (next: published, not yet signing; current: signing; previous: still published; retired; revoked).',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const all = await listing();
      for (const state of KEY_STATES) this.set({ state }, all.filter((key) => key.state === state).length);
    },
  });
  new Gauge({
    name: 'portcullis_signing_key_age_seconds',
    help: 'Seconds since the key that signs now, per algorithm, became current (KEY_ROTATION_INTERVAL bounds it when rotation runs).',
    labelNames: ['alg'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const at = now().getTime();
      const newest = new Map<string, number>();
      for (const key of await listing()) {
        if (key.state !== 'current') continue;
        const since = (key.activatesAt ?? key.createdAt).getTime();
        newest.set(key.alg, Math.max(newest.get(key.alg) ?? Number.NEGATIVE_INFINITY, since));
      }
      for (const [alg, since] of newest) this.set({ alg }, Math.max(0, (at - since) / 1000));
    },
  });
}

export interface CounterStoreHealth {
  readonly backend: 'redis' | 'memory';
  healthy(): boolean;
}

export function registerFallbackGauge(registry: Registry, limiter: CounterStoreHealth): void {
  new Gauge({
    // Not "counter_store_fallback" (the name): promtool flags a gauge whose name says counter.
    name: 'portcullis_lockout_store_fallback',
    help: '1 while REDIS_URL is configured but unreachable and the lockout counters live in this process only; 0 otherwise.',
    registers: [registry],
    collect() {
      this.set(limiter.backend === 'redis' && !limiter.healthy() ? 1 : 0);
    },
  });
}
