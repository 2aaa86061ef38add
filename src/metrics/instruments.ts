/**
 * The metrics as the composition root sees them, switched by METRICS_PORT. Nobody can read a
 * metric without the listener, so without METRICS_PORT nothing is counted: prom-client (~17 MiB
 * resident) is never imported, no request is timed and the store is not wrapped. With it, the
 * real wiring (index.ts) is imported once at start-up and every hook below feeds one registry.
 */
import type { HashObserver } from '../accounts/hash-observer.ts';
import type { AuditBus } from '../audit/bus.ts';
import type { Lockout } from '../lockout/index.ts';
import type { LoginGuard } from '../lockout/login-attempts.ts';
import type { BreachCheck } from '../passwords/types.ts';
import type { Store } from '../storage/port.ts';
import type { KeySource } from './gauges.ts';
import type { TimedContext } from './http.ts';
import type { Metrics, MetricsListener } from './index.ts';

export type TimedMiddleware = (ctx: TimedContext, next: () => Promise<unknown>) => Promise<void>;

export interface Instruments {
  /** The registry and its metrics; undefined without METRICS_PORT. */
  readonly metrics: Metrics | undefined;
  /** The first middleware of the public app; undefined when nothing is timed. */
  timeRequests(): TimedMiddleware | undefined;
  timeStore(store: Store): Store;
  hashObserver(): HashObserver | undefined;
  countBreachLookups(check: BreachCheck): BreachCheck;
  watchLockout(lockout: Lockout): Lockout;
  countLoginRefusals(guard: LoginGuard): LoginGuard;
  registerOutboxGauge(pending: () => Promise<number>): void;
  watchDomains(domains: { audit: AuditBus; keys: KeySource; keyClock: () => Date }): void;
  /** Starts the METRICS_PORT listener; nothing to close without one. */
  listen(config: { port: number | undefined; host: string; token: string | undefined }, onError: (error: unknown) => void): Promise<MetricsListener>;
}

const OFF: Instruments = {
  metrics: undefined,
  timeRequests: () => undefined,
  timeStore: (store) => store,
  hashObserver: () => undefined,
  countBreachLookups: (check) => check,
  watchLockout: (lockout) => lockout,
  countLoginRefusals: (guard) => guard,
  registerOutboxGauge: () => undefined,
  watchDomains: () => undefined,
  listen: async () => ({ close: async () => undefined }),
};

export async function openInstruments(enabled: boolean): Promise<Instruments> {
  if (!enabled) return OFF;
  const wiring = await import('./index.ts');
  // Process and Node.js metrics (CPU, memory, event-loop lag, GC) are gathered at scrape time.
  const metrics = wiring.createMetrics({ defaultMetrics: true });
  return {
    metrics,
    timeRequests: () => wiring.timeRequests(metrics),
    timeStore: (store) => wiring.timeStore(store, metrics),
    hashObserver: () => wiring.hashObserver(metrics),
    countBreachLookups: (check) => wiring.countBreachLookups(check, metrics.registry),
    watchLockout: (lockout) => wiring.watchLockout(lockout, metrics),
    countLoginRefusals: (guard) => wiring.countLoginRefusals(guard, metrics),
    registerOutboxGauge: (pending) => wiring.registerOutboxGauge(metrics.registry, pending),
    watchDomains: (domains) => wiring.watchDomains(metrics, domains),
    listen: (config, onError) => wiring.listenForMetrics(config, metrics, onError),
  };
}
