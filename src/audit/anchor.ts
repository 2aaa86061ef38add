/**
 * Anchors (issue 17): every hour each chain this process writes logs its head as an
 * `audit.anchor` info line `{chain, seq, mac}`. The line goes to the log pipeline only, never
 * to the store, so someone who rewrites the store (or deletes its newest records) cannot make
 * it agree with what the log already holds: compare the anchors with `audit verify` and with
 * the stored records at those seqs.
 */
import type { Logger } from '../platform/logger.ts';
import type { ChainHead } from './chain.ts';

const HOUR_MS = 60 * 60 * 1000;

export interface AuditAnchor {
  /** Logs the heads now (what the timer does). */
  anchor(): void;
  stop(): void;
}

export interface AuditAnchorDeps {
  heads: () => ChainHead[];
  logger: Logger;
  intervalMs?: number;
  /** setInterval, injectable so tests need not wait an hour. */
  every?: (run: () => void, ms: number) => { unref(): void };
  cancel?: (timer: { unref(): void }) => void;
}

export function startAuditAnchor(deps: AuditAnchorDeps): AuditAnchor {
  const log = deps.logger.child({ channel: 'audit' });
  const anchor = () => {
    // A chain with nothing stored yet has nothing to anchor.
    for (const { chain, seq, mac } of deps.heads()) if (seq > 0) log.info({ type: 'audit.anchor', chain, seq, mac }, 'audit.anchor');
  };
  const every = deps.every ?? ((run, ms) => setInterval(run, ms));
  const timer = every(anchor, deps.intervalMs ?? HOUR_MS);
  timer.unref();
  return { anchor, stop: () => (deps.cancel ?? ((t) => clearInterval(t as NodeJS.Timeout)))(timer) };
}
