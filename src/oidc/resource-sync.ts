/**
 * Resource servers change at run time (the admin API), and every instance must see the change in
 * getResourceServerInfo. The instance that wrote publishes on a signal of the same kind as the key
 * signal (over Redis when REDIS_URL is set: milliseconds), and every instance also re-reads the
 * store every KEY_SYNC_INTERVAL, so a lost message delays a change by at most that long.
 */
import type { KeySignal } from '../keys/signal.ts';
import type { Logger } from '../platform/logger.ts';
import type { ResourceRegistry } from './resources.ts';

export const RESOURCE_CHANNEL = 'portcullis:resources:changed';

export interface ResourceSync {
  /** Tells the other instances to re-read the resources now (never throws). */
  changed(): Promise<void>;
  close(): Promise<void>;
}

export async function syncResources(registry: ResourceRegistry, signal: KeySignal, intervalMs: number, logger: Logger): Promise<ResourceSync> {
  const reload = () =>
    registry.reload().catch((error: unknown) => logger.warn({ err: error }, 'could not re-read resource servers; serving the ones read last'));
  await signal.subscribe(() => void reload());
  const timer = setInterval(() => void reload(), intervalMs);
  timer.unref();
  return {
    changed: () => signal.publish(),
    async close() {
      clearInterval(timer);
      await signal.close();
    },
  };
}
