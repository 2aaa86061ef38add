/**
 * The embedded store's audit trail (issue 17): append-only NDJSON, one file per UTC day, under
 * `<DATA_DIR>/audit/YYYY-MM-DD.ndjson`, outside nedb, which would keep every record in memory.
 *
 * - append: one synchronous write(2) of one line into the file of the record's own UTC day
 *   (`at`), held open, before the promise resolves (as append.ts does for nedb): handed to the
 *   OS, no fsync. Within a day, file order is seq order; a clock stepped back over midnight can
 *   put a chain's records out of order across two files, which verify tolerates.
 * - query: day files newest first (or oldest first), each read a chunk at a time (lines.ts);
 *   a line is parsed only when it contains every filter value as a JSON string.
 *   Cursor: base64url of [day, byte offset, id]; the id is checked at the offset, and looked for
 *   in that day's file when an erasure has rewritten it since.
 * - retention deletes whole days; erasure rewrites a day's file into a temporary one and renames
 *   it over, finishing synchronously so no append falls between.
 */
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditCursorError, type AuditFilter, type AuditHit, type AuditPurgePlan, type AuditRecord, type AuditRepository, type ChainMark } from '../port.ts';
import { revive, scrubDayFile } from './audit-scrub.ts';
import { STORE_MODES } from './datastore.ts';
import { linesBackward, linesForward } from './lines.ts';

const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.ndjson$/;
const DAY_MS = 86_400_000;
const LIST_LIMIT = 100;

export const dayOf = (at: Date): string => at.toISOString().slice(0, 10);
const startOfDay = (day: string): Date => new Date(`${day}T00:00:00.000Z`);

/** Each filter value as it must appear in a matching line: a cheap test before JSON.parse. */
function needles(filter: AuditFilter): string[] {
  const found: string[] = [];
  for (const value of [filter.accountId, filter.actorId, filter.clientId, filter.ip]) if (value) found.push(JSON.stringify(value));
  if (filter.typePrefix) found.push(JSON.stringify(filter.typePrefix).slice(0, -1));
  return found;
}

export function matches(record: AuditRecord, filter: AuditFilter): boolean {
  if (filter.typePrefix && !record.type.startsWith(filter.typePrefix)) return false;
  if (filter.accountId && record.accountId !== filter.accountId) return false;
  if (filter.actorId && record.actor?.id !== filter.actorId) return false;
  if (filter.clientId && record.clientId !== filter.clientId) return false;
  if (filter.ip && record.ip !== filter.ip) return false;
  const at = record.at.getTime();
  if (filter.since && at < filter.since.getTime()) return false;
  if (filter.until && at >= filter.until.getTime()) return false;
  return true;
}

type Cursor = [day: string, offset: number, id: string];

const encode = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

function decode(cursor: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 3 &&
      typeof value[0] === 'string' &&
      /^\d{4}-\d{2}-\d{2}$/.test(value[0]) &&
      Number.isSafeInteger(value[1]) &&
      value[1] >= 0 &&
      typeof value[2] === 'string'
    ) {
      return value as Cursor;
    }
  } catch {
    // Falls through to the refusal.
  }
  throw new AuditCursorError('not a cursor of this trail');
}

export interface EmbeddedAuditTrail extends AuditRepository {
  /** Moves records of the nedb collection that held the trail before (migration); unchained, each to its day. */
  importRecords(records: AuditRecord[]): Promise<void>;
  close(): void;
}

export async function createEmbeddedAuditTrail(dataDir: string): Promise<EmbeddedAuditTrail> {
  const dir = join(dataDir, 'audit');
  await mkdir(dir, { recursive: true, mode: STORE_MODES.dirMode });
  const pathOf = (day: string) => join(dir, `${day}.ndjson`);
  let open_: { day: string; fd: number } | undefined;

  const days = async (): Promise<string[]> =>
    (await readdir(dir))
      .map((name) => DAY_FILE.exec(name)?.[1])
      .filter((day): day is string => day !== undefined)
      .sort();

  const closeOpen = () => {
    if (open_) closeSync(open_.fd);
    open_ = undefined;
  };

  function appendLine(day: string, line: string): void {
    if (open_?.day !== day) {
      closeOpen();
      open_ = { day, fd: openSync(pathOf(day), 'a', STORE_MODES.fileMode) };
    }
    writeSync(open_.fd, line);
  }

  /** The offset of the record `id` in `day`'s file (the cursor's offset when it still points at it). */
  async function place(day: string, offset: number, id: string): Promise<number | undefined> {
    for await (const line of linesForward(pathOf(day), offset)) {
      if (revive(line.text)?.id === id) return line.offset;
      break;
    }
    for await (const line of linesForward(pathOf(day))) if (revive(line.text)?.id === id) return line.offset;
    return undefined;
  }

  async function* scan(filter: AuditFilter): AsyncGenerator<AuditHit> {
    const asc = filter.order === 'asc';
    const wanted = needles(filter);
    const since = filter.since ? dayOf(filter.since) : undefined;
    // A record's file is its own day: days outside [since, until] hold no match (a day of
    // slack on `until` costs one file and keeps this safe for an `until` near midnight).
    const until = filter.until ? dayOf(new Date(filter.until.getTime() + DAY_MS)) : undefined;
    let list = (await days()).filter((day) => (!since || day >= since) && (!until || day <= until));
    let start: { day: string; offset: number | undefined; id: string } | undefined;
    if (filter.after) {
      const [day, offset, id] = decode(filter.after);
      const placed = (await days()).includes(day) ? await place(day, offset, id) : undefined;
      // A day deleted by retention since: carry on with the days beyond it.
      if (placed === undefined && (await days()).includes(day)) throw new AuditCursorError('the cursor names a record that is not in the trail');
      start = { day, offset: placed, id };
      list = list.filter((candidate) => (asc ? candidate >= day : candidate <= day));
    }
    if (!asc) list.reverse();
    for (const day of list) {
      const resume = start && start.day === day ? start.offset : undefined;
      const lines = asc ? linesForward(pathOf(day), resume ?? 0) : linesBackward(pathOf(day), resume);
      for await (const line of lines) {
        if (asc && resume !== undefined && line.offset === resume) continue;
        if (!wanted.every((needle) => line.text.includes(needle))) continue;
        const record = revive(line.text);
        if (record && matches(record, filter)) yield { record, cursor: encode([day, line.offset, record.id]) };
      }
    }
  }

  async function* everyRecord(names: string[]): AsyncGenerator<{ day: string; record: AuditRecord }> {
    for (const day of names) {
      for await (const line of linesForward(pathOf(day))) {
        const record = revive(line.text);
        if (record) yield { day, record };
      }
    }
  }

  return {
    async append(event) {
      appendLine(dayOf(event.at), `${JSON.stringify(event)}\n`);
    },
    async importRecords(records) {
      const byDay = new Map<string, string>();
      for (const record of records) byDay.set(dayOf(record.at), `${byDay.get(dayOf(record.at)) ?? ''}${JSON.stringify(record)}\n`);
      for (const [day, lines] of byDay) {
        if (open_?.day === day) closeOpen();
        const fd = openSync(pathOf(day), 'a', STORE_MODES.fileMode);
        try {
          writeSync(fd, lines);
        } finally {
          closeSync(fd);
        }
      }
    },
    async list(query = {}) {
      const found: AuditRecord[] = [];
      const limit = query.limit ?? LIST_LIMIT;
      for await (const { record } of scan({ typePrefix: query.type, accountId: query.accountId })) {
        if (query.type && record.type !== query.type) continue;
        found.push(record);
        if (found.length >= limit) break;
      }
      return found;
    },
    query: (filter) => scan(filter),
    async *walk() {
      for await (const { record } of everyRecord(await days())) if (typeof record.chain === 'string') yield record;
    },
    async planPurge(before) {
      const cut = dayOf(before);
      const scope = (await days()).filter((day) => day < cut);
      const marks = new Map<string, ChainMark>();
      let count = 0;
      for await (const { record } of everyRecord(scope)) {
        count += 1;
        if (typeof record.chain !== 'string' || typeof record.seq !== 'number' || typeof record.mac !== 'string') continue;
        const known = marks.get(record.chain);
        if (!known || record.seq > known.seq) marks.set(record.chain, { chain: record.chain, seq: record.seq, mac: record.mac });
      }
      return { before: startOfDay(cut), count, marks: [...marks.values()], scope };
    },
    async purge(plan: AuditPurgePlan) {
      for (const day of plan.scope ?? []) {
        // Synchronously, with the descriptor closed first: no append falls between the two.
        if (open_?.day === day) closeOpen();
        try {
          unlinkSync(pathOf(day));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }
      return plan.count;
    },
    async scrubAccount(accountId) {
      let changed = 0;
      for (const day of await days()) {
        changed += await scrubDayFile(pathOf(day), accountId, () => {
          // The file is replaced: the next append opens the new one.
          if (open_?.day === day) closeOpen();
        });
      }
      return changed;
    },
    close: closeOpen,
  };
}
