/**
 * The outbox worker, one per instance: takes due rows from the store, renders and sends them.
 *
 * - Each row is claimed by one conditional write (storage port `claim`), so instances sharing a
 *   store never send one row twice; the claim leases the row for CLAIM_LEASE_MS, after which a
 *   row whose worker died mid-send is due again (delivery is at least once, not exactly once).
 * - Delivered: the row is deleted. Failed: retried with back-off (retry.ts); after the last
 *   attempt, or on a permanent refusal, the row is deleted and `mail.failed` is audited with the
 *   account, template and attempts — never the address or the link.
 * - A row whose `expiresAt` has passed is deleted and never sent.
 * - It runs on start (rows left by an earlier process), on every `nudge` (a new row), and every
 *   SWEEP_INTERVAL_MS; the timer is unref'd, and `close` waits for a sweep in progress.
 */
import { randomUUID } from 'node:crypto';
import type { AuditInput } from '../audit/bus.ts';
import type { Sealer } from '../keys/sealing.ts';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import type { OutboxRecord, OutboxRepository } from '../storage/port.ts';
import { renderMail } from '../views/mail-render.ts';
import type { Mailer } from './mailer.ts';
import { CLAIM_LEASE_MS, isPermanent, MAX_ATTEMPTS, retryDelay, SWEEP_INTERVAL_MS } from './retry.ts';

export interface OutboxWorkerDeps {
  repo: OutboxRepository;
  sealer: Sealer;
  mailer: Mailer;
  audit: { emit(input: AuditInput): unknown };
  logger: Logger;
  clock: Clock;
  issuerHost: string;
  sweepIntervalMs?: number;
}

export interface OutboxWorker {
  start(): void;
  /** A row was written: sweep soon. */
  nudge(): void;
  /** Sweeps now (or joins the sweep in progress, which then runs once more); resolves when done. */
  sweep(): Promise<void>;
  close(): Promise<void>;
}

/** Rows read per query; a sweep keeps reading until nothing is due. */
const BATCH = 20;
/** A bound on one sweep, so a store that keeps answering rows cannot hold it forever. */
const MAX_BATCHES = 50;

export function createOutboxWorker(deps: OutboxWorkerDeps): OutboxWorker {
  const { repo, logger } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;

  function fail(row: OutboxRecord, reason: string, error?: unknown) {
    logger.error({ accountId: row.accountId, template: row.template, attempts: row.attempts, reason, err: messageOf(error) }, 'mail given up');
    deps.audit.emit({ type: 'mail.failed', accountId: row.accountId, detail: { template: row.template, attempts: row.attempts, reason } });
  }

  async function deliver(row: OutboxRecord, claim: string): Promise<void> {
    const now = deps.clock();
    if (row.expiresAt && row.expiresAt.getTime() <= now) {
      await repo.delete(row.id);
      logger.info({ accountId: row.accountId, template: row.template }, 'mail expired before it could be sent; not sent');
      return;
    }
    let message: Awaited<ReturnType<typeof renderMail>>;
    let link: string | undefined;
    try {
      link = row.sealedLink === undefined ? undefined : deps.sealer.open(row.sealedLink);
      message = await renderMail(row.template, { ...row.data, link, issuerHost: deps.issuerHost });
    } catch (error) {
      // A key-encryption key no longer configured, or a broken template: no retry can help.
      await repo.delete(row.id);
      fail(row, 'unrenderable', error);
      return;
    }
    try {
      await deps.mailer.send({ to: row.to, ...message });
    } catch (error) {
      const permanent = isPermanent(error);
      if (permanent || row.attempts >= MAX_ATTEMPTS) {
        await repo.delete(row.id);
        fail(row, permanent ? 'refused' : 'retries_exhausted', error);
        return;
      }
      const next = new Date(deps.clock() + retryDelay(row.attempts));
      await repo.reschedule(row.id, claim, next);
      logger.warn(
        { accountId: row.accountId, template: row.template, attempts: row.attempts, nextAttemptAt: next.toISOString(), err: messageOf(error) },
        'mail not delivered; will retry',
      );
      return;
    }
    await repo.delete(row.id);
    // The development outbox: the developer clicks the link from the log.
    if (deps.mailer.mode === 'eml' && link)
      logger.info({ accountId: row.accountId, template: row.template, link }, 'development outbox: the link in this mail');
  }

  async function sweepOnce(): Promise<void> {
    const now = new Date(deps.clock());
    await repo.purgeExpired(now);
    for (let batch = 0; batch < MAX_BATCHES; batch += 1) {
      const due = await repo.due(now, BATCH);
      for (const candidate of due) {
        if (closed) return;
        const claim = randomUUID();
        const row = await repo.claim(candidate.id, now, new Date(now.getTime() + CLAIM_LEASE_MS), claim);
        if (!row) continue; // another instance has it
        await deliver(row, claim).catch((error: unknown) =>
          logger.error({ accountId: row.accountId, template: row.template, err: messageOf(error) }, 'outbox: a row could not be handled'),
        );
      }
      if (due.length < BATCH) return;
    }
  }

  function sweep(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await sweepOnce().catch((error: unknown) => logger.error({ err: messageOf(error) }, 'outbox sweep failed'));
      } while (again && !closed);
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    start() {
      if (timer || closed) return;
      timer = setInterval(() => void sweep(), deps.sweepIntervalMs ?? SWEEP_INTERVAL_MS);
      timer.unref();
      void sweep();
    },
    nudge() {
      if (!closed) void sweep();
    },
    sweep,
    async close() {
      closed = true;
      clearInterval(timer);
      await running;
    },
  };
}

function messageOf(error: unknown): string | undefined {
  if (error === undefined) return undefined;
  return error instanceof Error ? error.message : String(error);
}
