/**
 * Before issue 17 the embedded trail was a nedb collection (`<DATA_DIR>/audit.db`), held in
 * memory whole. At the first start after the upgrade its records are moved, once, into the
 * NDJSON day files (audit-trail.ts), unchained (they were written without MACs; verify counts
 * them apart), and the old file is deleted, so an erasure never has two copies to scrub.
 */
import { access, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditRecord } from '../port.ts';
import type { EmbeddedAuditTrail } from './audit-trail.ts';
import { STORE_MODES } from './datastore.ts';
import { Datastore } from './nedb.ts';

export async function migrateNedbAudit(dataDir: string, trail: EmbeddedAuditTrail): Promise<number> {
  const filename = join(dataDir, 'audit.db');
  try {
    await access(filename);
  } catch {
    return 0;
  }
  const legacy = new Datastore({ filename, modes: STORE_MODES });
  await legacy.loadDatabaseAsync();
  const docs = await legacy.findAsync({}).sort({ at: 1 });
  const records = docs.map(({ _id, expiresAt: _expires, ...rest }) => ({ id: _id, ...rest }) as unknown as AuditRecord);
  await trail.importRecords(records);
  await unlink(filename);
  await unlink(`${filename}~`).catch(() => undefined);
  return records.length;
}
