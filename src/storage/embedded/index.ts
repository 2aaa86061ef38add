/**
 * The embedded backend: zero set-up, one process, persisted under DATA_DIR. Two processes must
 * not open the same directory (each keeps its own in-memory copy); use the mongo backend to scale out.
 */

import { StoreNotReadyError } from '../errors.ts';
import { MODEL_NAMES } from '../models.ts';
import type { Store } from '../port.ts';
import { createAccountRepository } from './accounts.ts';
import { migrateNedbAudit } from './audit-migration.ts';
import { createEmbeddedAuditTrail, type EmbeddedAuditOptions } from './audit-trail.ts';
import { type CompactionReport, createCompactor } from './compaction.ts';
import { createCollectionSet, STORE_MODES } from './datastore.ts';
import { createModelStore, type EmbeddedModelStore } from './models.ts';
import { createOutboxRepository } from './outbox.ts';
import { createKeyRepository, createMfaRepository, createRecordRepository } from './repositories.ts';

/** Kept here too so code that imported the list from this module keeps working. */
export { MODEL_NAMES };

export interface EmbeddedStoreOptions {
  /** How often the append-only files are rewritten (EMBEDDED_COMPACTION_INTERVAL); default 10 min. */
  compactionIntervalMs?: number;
  /** Told about every failed compaction, and about the first success after one. */
  onCompaction?: (report: CompactionReport) => void;
  /** The audit trail's index (segment size, read statistics, build failures). */
  audit?: EmbeddedAuditOptions;
}

export interface EmbeddedStore extends Store {
  readonly kind: 'embedded';
  /** Compacts every collection now (what the timer does); never rejects, see ping() for the outcome. */
  compact(): Promise<void>;
}

const TEN_MINUTES_MS = 10 * 60 * 1000;

export async function createEmbeddedStore(dataDir: string, options: EmbeddedStoreOptions = {}): Promise<EmbeddedStore> {
  const collections = await createCollectionSet(dataDir);
  const models = new Map<string, EmbeddedModelStore>();
  for (const name of MODEL_NAMES) models.set(name, await createModelStore(dataDir, name, { fileMode: STORE_MODES.fileMode }));
  const compactor = createCompactor(() => [...models.values(), ...collections.all()], {
    intervalMs: options.compactionIntervalMs ?? TEN_MINUTES_MS,
    report: options.onCompaction ?? (() => undefined),
  });
  // The trail lives in NDJSON day files outside nedb (audit-trail.ts), not in memory.
  const audit = await createEmbeddedAuditTrail(dataDir, options.audit);
  await migrateNedbAudit(dataDir, audit);
  const store: EmbeddedStore = {
    kind: 'embedded',
    model(name) {
      const model = models.get(name);
      if (!model) throw new Error(`unknown model ${name}`);
      return model;
    },
    accounts: await createAccountRepository(await collections.open('accounts')),
    keys: await createKeyRepository(await collections.open('keys')),
    audit,
    mfa: await createMfaRepository(await collections.open('mfa')),
    records: await createRecordRepository(await collections.open('records'), await collections.open('locks')),
    outbox: await createOutboxRepository(await collections.open('outbox')),
    async ping() {
      // In-process: reachable as long as the process runs and the files loaded, and ready as long
      // as the files can be rewritten (a full disk fails compaction before it fails appends).
      const failing = [...compactor.failures().keys()];
      if (failing.length > 0) {
        throw new StoreNotReadyError('compaction_failed', `compaction failed for ${failing.join(', ')}`);
      }
    },
    compact: () => compactor.run(),
    async close() {
      compactor.stop();
      await audit.close();
      // A last rewrite so the next start loads compact files; a failure is reported, not thrown:
      // the appended files still hold everything.
      await compactor.run();
      for (const model of models.values()) model.close();
    },
  };
  return store;
}
