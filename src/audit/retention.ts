/**
 * AUDIT_RETENTION: stored audit records are deleted once they are older than the retention.
 * Each record carries `expiresAt` (sinks.ts); MongoDB's TTL index deletes those by itself, the
 * embedded store has no TTL of its own, so this timer purges on both backends — which also
 * covers records written before retention existed (no `expiresAt`: judged by `at`).
 */
import type { Logger } from '../platform/logger.ts';
import type { AuditRepository } from '../storage/port.ts';

/** An hour: retention is counted in days, so an hour late is immaterial, and a purge is one query. */
const PURGE_INTERVAL_MS = 60 * 60 * 1000;

export interface AuditRetention {
  /** Deletes what has expired now; resolves with how many records went. */
  purge(): Promise<number>;
  stop(): void;
}

export interface AuditRetentionDeps {
  repo: AuditRepository;
  retentionSeconds: number;
  logger: Logger;
  /** Milliseconds since the epoch. */
  clock: () => number;
  intervalMs?: number;
}

export function startAuditRetention(deps: AuditRetentionDeps): AuditRetention {
  const purge = async () => {
    const now = deps.clock();
    return deps.repo.purgeExpired(new Date(now), new Date(now - deps.retentionSeconds * 1000));
  };
  const timer = setInterval(() => {
    purge().then(
      (removed) => {
        if (removed > 0) deps.logger.info({ removed }, 'audit retention: expired records deleted');
      },
      (error: unknown) => deps.logger.warn({ err: error }, 'audit retention: purge failed, will retry'),
    );
  }, deps.intervalMs ?? PURGE_INTERVAL_MS);
  timer.unref();
  return { purge, stop: () => clearInterval(timer) };
}
