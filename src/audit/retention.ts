/**
 * AUDIT_RETENTION (issue 17): stored audit records older than the retention are deleted by a
 * purge job on both backends (no TTL index: a TTL deletes silently, and verify would then see
 * records missing). The job runs hourly under a lease (store.records.tryLock), so of several
 * instances sharing a database one purges at a time; it first writes a stored
 * `audit.checkpoint` record naming, per chain, the last seq that goes and its mac, then deletes.
 * verify (verify.ts) starts each chain after its latest checkpoint, so a purged trail still
 * verifies, and a deletion the checkpoint does not account for is still reported.
 */
import type { Logger } from '../platform/logger.ts';
import type { AuditRepository, RecordRepository } from '../storage/port.ts';
import type { AuditChain } from './chain.ts';
import { CHECKPOINT_TYPE } from './verify.ts';

/** An hour: retention is counted in days, so an hour late is immaterial. */
const PURGE_INTERVAL_MS = 60 * 60 * 1000;
const LEASE = 'audit.retention';
/** Longer than a purge of a large trail takes; a crashed holder's lease runs out after this. */
const LEASE_SECONDS = 15 * 60;

export interface PurgeReport {
  /** How many records went (0 when another instance holds the lease or nothing was old enough). */
  removed: number;
  /** False when another instance held the lease. */
  ran: boolean;
}

export interface AuditRetention {
  /** Purges what is older than the retention now; resolves with what it did. */
  purge(): Promise<PurgeReport>;
  stop(): void;
}

export interface AuditRetentionDeps {
  repo: AuditRepository;
  records: Pick<RecordRepository, 'tryLock' | 'unlock'>;
  /** Where the checkpoint is written (it is a stored record of this process's chain). */
  chain: Pick<AuditChain, 'append'>;
  retentionSeconds: number;
  logger: Logger;
  /** Milliseconds since the epoch. */
  clock: () => number;
  /** Names this instance as the lease holder. */
  holder: string;
  intervalMs?: number;
}

export function startAuditRetention(deps: AuditRetentionDeps): AuditRetention {
  const purge = async (): Promise<PurgeReport> => {
    if (!(await deps.records.tryLock(LEASE, deps.holder, LEASE_SECONDS))) return { removed: 0, ran: false };
    try {
      const now = deps.clock();
      const plan = await deps.repo.planPurge(new Date(now - deps.retentionSeconds * 1000));
      if (plan.count === 0) return { removed: 0, ran: true };
      await deps.chain.append({
        id: crypto.randomUUID(),
        type: CHECKPOINT_TYPE,
        at: new Date(now),
        actor: { kind: 'system' },
        outcome: 'success',
        detail: { before: plan.before.toISOString(), records: plan.count, chains: plan.marks.map(({ chain, seq, mac }) => ({ chain, seq, mac })) },
      });
      return { removed: await deps.repo.purge(plan), ran: true };
    } finally {
      await deps.records.unlock(LEASE, deps.holder);
    }
  };
  const timer = setInterval(() => {
    purge().then(
      ({ removed }) => {
        if (removed > 0) deps.logger.info({ removed }, 'audit retention: records older than AUDIT_RETENTION deleted after a checkpoint');
      },
      (error: unknown) => deps.logger.warn({ err: error }, 'audit retention: purge failed, will retry'),
    );
  }, deps.intervalMs ?? PURGE_INTERVAL_MS);
  timer.unref();
  return { purge, stop: () => clearInterval(timer) };
}
