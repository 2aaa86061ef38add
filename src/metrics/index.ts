/**
 * The metrics module as the composition root uses it: one registry per instance, the hooks that
 * feed it from the domains (audit bus, lockout, keys, hashing, storage), and the listener that
 * serves it; the password lifecycle's (breach lookups, the mail outbox) are in later.ts.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HashObserver } from '../accounts/hash-observer.ts';
import type { AuditBus } from '../audit/bus.ts';
import type { Lockout } from '../lockout/index.ts';
import type { Store } from '../storage/port.ts';
import { countAuditEvents } from './audit.ts';
import { type KeySource, registerFallbackGauge, registerKeyGauges } from './gauges.ts';
import { createMetricsServer } from './listener.ts';
import { countRefusals } from './refusals.ts';
import type { Metrics } from './registry.ts';
import { instrumentStore } from './store.ts';

export { timeRequests } from './http.ts';
export { countBreachLookups, registerOutboxGauge } from './later.ts';
export { countLoginRefusals } from './refusals.ts';
export { createMetrics, type Metrics } from './registry.ts';

export function hashObserver(metrics: Metrics): HashObserver {
  return {
    waiting: (delta) => metrics.passwordHashQueue.inc(delta),
    computed: (seconds) => metrics.passwordHashDuration.observe(seconds),
  };
}

export function timeStore(store: Store, metrics: Metrics): Store {
  return instrumentStore(store, (operation, seconds) => metrics.storeOperationDuration.observe({ backend: store.kind, operation }, seconds));
}

/** The lockout limiter counting its refusals, and the gauge that says when Redis is replaced. */
export function watchLockout(lockout: Lockout, metrics: Metrics): Lockout {
  registerFallbackGauge(metrics.registry, lockout.limiter);
  return { ...lockout, limiter: countRefusals(lockout.limiter, metrics) };
}

/** Counters from audit events, and the signing-key gauges read at scrape time. */
export function watchDomains(metrics: Metrics, domains: { audit: AuditBus; keys: KeySource; keyClock: () => Date }): void {
  countAuditEvents(domains.audit, metrics);
  registerKeyGauges(metrics.registry, domains.keys, domains.keyClock);
}

export interface MetricsListener {
  close(): Promise<void>;
}

/** Starts the listener when METRICS_PORT is set; resolves with nothing to close otherwise. */
export async function listenForMetrics(
  config: { port: number | undefined; host: string; token: string | undefined },
  metrics: Metrics,
  onError: (error: unknown) => void,
): Promise<MetricsListener & { address?: AddressInfo }> {
  if (config.port === undefined) return { close: async () => undefined };
  const server: Server = createMetricsServer({ registry: metrics.registry, token: config.token, onError });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  return {
    address: server.address() as AddressInfo,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
