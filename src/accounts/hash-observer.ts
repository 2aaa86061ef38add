/**
 * A watcher of argon2id work for operations (the metrics module): how many computations wait for
 * a slot, and how long each one takes once it has one. Wraps the slot limiter (limit.ts), so the
 * hasher itself does not change; without an observer it is the limiter unchanged.
 */
import { performance } from 'node:perf_hooks';
import type { Limiter } from './limit.ts';

export interface HashObserver {
  /** +1 when a computation starts waiting for a slot, −1 when it gets one. */
  waiting(delta: 1 | -1): void;
  /** Seconds one computation (hash or verification) took, without the wait. */
  computed(seconds: number): void;
}

export function observeSlots(limit: Limiter, observer: HashObserver | undefined): Limiter {
  if (!observer) return limit;
  return (task) => {
    observer.waiting(1);
    return limit(() => {
      observer.waiting(-1);
      const start = performance.now();
      return task().finally(() => observer.computed((performance.now() - start) / 1000));
    });
  };
}
