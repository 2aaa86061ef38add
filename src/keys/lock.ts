/**
 * One instance at a time changes the key set: a lease in the shared store (records.tryLock).
 * The lease outlives a crashed holder by at most LEASE_SECONDS.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RecordRepository } from '../storage/port.ts';

export const LOCK_NAME = 'keys.lifecycle';
/** 60 s: far longer than a key change takes (an RSA-2048 key is generated in well under 1 s). */
export const LEASE_SECONDS = 60;
/** How often a waiting caller asks again. */
const RETRY_MS = 50;

export type LockResult<T> = { ran: true; value: T } | { ran: false };

/** Runs `fn` while holding the lease; waits up to `waitMs` for it (0: one attempt). */
export async function withLock<T>(records: RecordRepository, holder: string, waitMs: number, fn: () => Promise<T>): Promise<LockResult<T>> {
  // Monotonic time: the wall clock may be moved (tests do) while we wait.
  const deadline = performance.now() + waitMs;
  while (!(await records.tryLock(LOCK_NAME, holder, LEASE_SECONDS))) {
    if (performance.now() >= deadline) return { ran: false };
    await sleep(RETRY_MS);
  }
  try {
    return { ran: true, value: await fn() };
  } finally {
    await records.unlock(LOCK_NAME, holder);
  }
}
