/**
 * oidc-provider models in the embedded store: an in-process table per model (model-table.ts) and
 * its own append-only file (model-log.ts) in nedb's line format (model-lines.ts). Accounts, keys,
 * MFA, records and the outbox stay on nedb; these models carry the token traffic, and nedb's
 * per-write work (key checks, deep copies, index trees, serialising the whole document) was the
 * largest item of the opaque token path (~100 µs per request, profile of 2026-12-02).
 *
 * Changes are applied to the table synchronously, then appended; the caller's promise resolves
 * once the line is handed to the OS. So `consume` is decided by the table alone (first caller
 * wins) and a lost consume writes nothing.
 */
import { join } from 'node:path';
import type { ModelPayload, ModelStore } from '../port.ts';
import { deletedLine, indexLine, type LookupField, type Row, rowLine } from './model-lines.ts';
import { openLog, readLog } from './model-log.ts';
import { createModelTable, loadLines } from './model-table.ts';

/**
 * Which fields each model is looked up by (the same choice as mongo/indexes.ts). Lookups by any
 * other field still work, by scan: an `accountId` index on refresh tokens would cost every rotation
 * and serve only the rare "sign this person out everywhere".
 */
export function lookupFields(model: string): ReadonlyArray<LookupField> {
  switch (model) {
    case 'Session':
      return ['accountId', 'uid'];
    case 'Grant':
    case 'PasswordReset':
    case 'EmailChange':
    case 'Passkey':
      return ['accountId'];
    case 'DeviceCode':
      return ['grantId', 'userCode'];
    case 'AccessToken':
    case 'AuthorizationCode':
    case 'RefreshToken':
    case 'BackchannelAuthenticationRequest':
      return ['grantId'];
    default:
      return [];
  }
}

export interface EmbeddedModelStore extends ModelStore {
  /** `<DATA_DIR>/oidc-<Model>.db`; the compactor names collections by it. */
  readonly filename: string;
  /** Rewrites the file with the live records only (compaction.ts runs it on its timer). */
  compactDatafileAsync(): Promise<void>;
  /** Writes what is pending, closes the file and stops the sweep. */
  close(): void;
}

export interface ModelStoreOptions {
  fileMode: number;
  /** How often expired records nobody reads are dropped from memory; default one minute. */
  sweepIntervalMs?: number;
}

const ONE_MINUTE_MS = 60_000;

function toPayload(row: Row): ModelPayload {
  const payload = JSON.parse(row.data) as ModelPayload;
  if (row.consumed !== undefined) payload.consumed = row.consumed;
  return payload;
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

export async function createModelStore(dataDir: string, model: string, options: ModelStoreOptions): Promise<EmbeddedModelStore> {
  const filename = join(dataDir, `oidc-${model}.db`);
  const indexed = lookupFields(model);
  const table = createModelTable(indexed);
  loadLines(table, await readLog(filename), filename);
  const log = openLog(filename, options.fileMode);

  function snapshot(): string {
    table.sweep();
    let lines = '';
    for (const [id, row] of table.entries()) lines += rowLine(id, row);
    // The index declarations nedb would write, so the version before this rebuilds the same ones.
    lines += indexLine('expiresAt', false);
    for (const field of indexed) lines += indexLine(field, true);
    return lines;
  }
  // nedb rewrote each file at load as well: a start leaves compact files.
  await log.rewrite(snapshot);

  const sweeper = setInterval(() => table.sweep(), options.sweepIntervalMs ?? ONE_MINUTE_MS);
  sweeper.unref();

  const found = (entries: Array<[string, Row]>) => entries.map(([id, row]) => ({ id, payload: toPayload(row) }));
  const first = (entries: Array<[string, Row]>) => entries[0] && toPayload(entries[0][1]);

  return {
    filename,
    async upsert(id, payload, expiresIn) {
      const consumed = typeof payload.consumed === 'number' ? payload.consumed : undefined;
      const row: Row = {
        data: JSON.stringify(payload),
        expiresAt: typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : undefined,
        // A consumed mark is never cleared by a later save: losing it would re-arm a one-time artefact.
        consumed: consumed ?? table.get(id)?.consumed,
        grantId: text(payload.grantId),
        uid: text(payload.uid),
        userCode: text(payload.userCode),
        accountId: text(payload.accountId),
      };
      table.set(id, row);
      await log.append(rowLine(id, row));
    },
    async find(id) {
      const row = table.get(id);
      return row && toPayload(row);
    },
    findByUid: async (uid) => first(table.where('uid', uid)),
    findByUserCode: async (userCode) => first(table.where('userCode', userCode)),
    findByAccountId: async (accountId) => found(table.where('accountId', accountId)),
    findByGrantId: async (grantId) => found(table.where('grantId', grantId)),
    async consume(id) {
      const row = table.get(id);
      if (!row || row.consumed !== undefined) return false;
      // A new row, as every write makes one: a row is its record's revision.
      const marked: Row = { ...row, consumed: Math.floor(Date.now() / 1000) };
      table.set(id, marked);
      await log.append(rowLine(id, marked));
      return true;
    },
    revision: (id) => table.get(id),
    async destroy(id) {
      if (table.delete(id)) await log.append(deletedLine(id));
    },
    async revokeByGrantId(grantId) {
      let lines = '';
      for (const [id] of table.where('grantId', grantId)) {
        table.delete(id);
        lines += deletedLine(id);
      }
      if (lines) await log.append(lines);
    },
    async count() {
      return table.sweep();
    },
    compactDatafileAsync: () => log.rewrite(snapshot),
    close() {
      clearInterval(sweeper);
      log.close();
    },
  };
}
