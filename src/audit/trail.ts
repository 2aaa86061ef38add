/**
 * The stored audit trail, assembled (issue 17): this process's chain (chain.ts) with its MAC key
 * (macs.ts), verify (verify.ts), the hourly anchor lines (anchor.ts) and the leased retention
 * job (retention.ts). app.ts makes one per instance and hands the bus's stored events to `chain`.
 */
import type { Logger } from '../platform/logger.ts';
import type { AuditRepository, RecordRepository } from '../storage/port.ts';
import { type AuditAnchor, startAuditAnchor } from './anchor.ts';
import { type AuditChain, createAuditChain } from './chain.ts';
import { type AuditMacs, createAuditMacs } from './macs.ts';
import { type AuditRetention, startAuditRetention } from './retention.ts';
import { type VerifyResult, verifyTrail } from './verify.ts';

export interface AuditTrail {
  chain: AuditChain;
  macs: AuditMacs;
  retention: AuditRetention;
  anchor: AuditAnchor;
  verify(): Promise<VerifyResult>;
  stop(): void;
}

export interface AuditTrailDeps {
  repo: AuditRepository;
  records: Pick<RecordRepository, 'tryLock' | 'unlock'>;
  keyEncryptionKeys: readonly string[];
  retentionSeconds: number;
  logger: Logger;
  clock: () => number;
  /** This instance, as the retention lease's holder. */
  instanceId: string;
}

export function createAuditTrail(deps: AuditTrailDeps): AuditTrail {
  const macs = createAuditMacs(deps.keyEncryptionKeys);
  const chain = createAuditChain({ repo: deps.repo, macs });
  const retention = startAuditRetention({
    repo: deps.repo,
    records: deps.records,
    chain,
    retentionSeconds: deps.retentionSeconds,
    logger: deps.logger,
    clock: deps.clock,
    holder: deps.instanceId,
  });
  const anchor = startAuditAnchor({ heads: () => [chain.head()], logger: deps.logger });
  // One walk at a time: callers that ask while one runs share its result (a walk reads everything).
  let running: Promise<VerifyResult> | undefined;
  return {
    chain,
    macs,
    retention,
    anchor,
    verify() {
      running ??= (async () => {
        // Appends still under way would look like a missing head.
        await chain.idle();
        return verifyTrail({ repo: deps.repo, macs, liveHeads: () => [chain.head()] });
      })().finally(() => {
        running = undefined;
      });
      return running;
    },
    stop() {
      retention.stop();
      anchor.stop();
    },
  };
}
