/**
 * The embedded store's audit trail (issue 17): append-only NDJSON, one file per UTC day, under
 * `<DATA_DIR>/audit/YYYY-MM-DD.ndjson`, outside nedb, which would keep every record in memory.
 *
 * - append: one synchronous write(2) of one line into the file of the record's own UTC day
 *   (`at`), held open, before the promise resolves (as append.ts does for nedb): handed to the
 *   OS, no fsync. Within a day, file order is seq order; a clock stepped back over midnight can
 *   put a chain's records out of order across two files, which verify tolerates.
 * - index (audit-index/): beside each day file, immutable binary segments
 *   `<day>.<from>-<to>.idx`, each filing the complete lines of bytes [from, to) of the day under
 *   64-bit hashes of `a:` accountId, `r:` actor id, `c:` client, `i:` ip and `t:` + each dotted
 *   prefix of the type, sorted, with an in-memory fence. A segment covers SEGMENT_BYTES (4 MiB,
 *   ~11 000 records) of file; segments are contiguous from byte 0, and what follows the last
 *   (the tail, under 4 MiB) is scanned. They are built in the background once the day being
 *   appended to has a tail of SEGMENT_BYTES (never on the append's own path), and by a query
 *   that meets a day with such a tail (older data, the nedb migration, after a restart). A day
 *   that later days follow is closed: if it has segments, its last, shorter tail gets one too
 *   (when appends move to the next day, or at the next query), so what is scanned is the
 *   current day's tail and days smaller than one segment.
 * - query: day files newest first (or oldest first). A filter with an indexed key (subject,
 *   actor, client, ip, or a type prefix with a dot) reads only the candidate lines of the
 *   segments, coalesced (audit-index/lookup.ts), plus the tail; any other filter reads each file
 *   a chunk at a time (lines.ts), parsing a line only when it contains every filter value as a
 *   JSON string. Every returned line is parsed and matched in full, so the index can make a
 *   query read less, never answer differently; a day file changed behind its index (a hand
 *   edit) has its segments dropped and is scanned. verify and purge never use the index.
 *   Cursor: base64url of [day, byte offset, id]; the id is checked at the offset, and looked for
 *   in that day's file when an erasure has rewritten it since.
 * - retention deletes whole days, with their segments; erasure rewrites a day's file into a
 *   temporary one and renames it over, finishing synchronously so no append falls between; the
 *   day's segments are deleted just before the rename and rebuilt later.
 */
import { closeSync, fstatSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditCursorError, type AuditFilter, type AuditHit, type AuditPurgePlan, type AuditRecord, type AuditRepository, type ChainMark } from '../port.ts';
import { decode, encode, matches, needles } from './audit-filter.ts';
import { openCatalog } from './audit-index/catalog.ts';
import { queryDay } from './audit-index/day-query.ts';
import { filterKeys, hashKey } from './audit-index/keys.ts';
import { revive, scrubDayFile } from './audit-scrub.ts';
import { STORE_MODES } from './datastore.ts';
import { type Line, linesBackward, linesForward, missing, type ReadCounter, sizeOf } from './lines.ts';

const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.ndjson$/;
const DAY_MS = 86_400_000;
const LIST_LIMIT = 100;
/**
 * 4 MiB of day file per segment: ~11 000 records, ~80 000 entries to sort (a few ms, one turn of
 * the event loop), ~1.4 MiB of segment; 100 segments for a million records.
 */
export const SEGMENT_BYTES = 4 * 1024 * 1024;

export const dayOf = (at: Date): string => at.toISOString().slice(0, 10);
const startOfDay = (day: string): Date => new Date(`${day}T00:00:00.000Z`);

export interface EmbeddedAuditOptions {
  /** Day-file bytes per index segment (default SEGMENT_BYTES; tests use a small one). */
  segmentBytes?: number;
  /** Entries per fence block of new segments (default 256; tests scale it down with segmentBytes). */
  fenceStride?: number;
  /** Told the size of every read of a day or segment file (statistics; tests count them). */
  onRead?: ReadCounter;
  /** A failed index build: the trail scans instead, so it is reported, never thrown. */
  onIndexError?: (error: Error, day: string) => void;
}

export interface EmbeddedAuditTrail extends AuditRepository {
  /** Moves records of the nedb collection that held the trail before (migration); unchained, each to its day. */
  importRecords(records: AuditRecord[]): Promise<void>;
  /** Builds every day's missing segments now (what queries do lazily); resolves when done. */
  buildIndex(): Promise<void>;
  /** Resolves when no index build is under way (tests, the bench). */
  indexIdle(): Promise<void>;
  /** Closes the day file and stops index builds, waiting for them (each stops at its next chunk). */
  close(): Promise<void>;
}

export async function createEmbeddedAuditTrail(dataDir: string, options: EmbeddedAuditOptions = {}): Promise<EmbeddedAuditTrail> {
  const dir = join(dataDir, 'audit');
  await mkdir(dir, { recursive: true, mode: STORE_MODES.dirMode });
  const pathOf = (day: string) => join(dir, `${day}.ndjson`);
  const segmentBytes = options.segmentBytes ?? SEGMENT_BYTES;
  const onRead = options.onRead ?? (() => undefined);
  const days = async (): Promise<string[]> =>
    (await readdir(dir))
      .map((name) => DAY_FILE.exec(name)?.[1])
      .filter((day): day is string => day !== undefined)
      .sort();
  /** The latest day with a file: every earlier day is closed (appends go on in later files). */
  let latest = (await days()).at(-1);
  const catalog = await openCatalog({
    dir,
    dayPath: pathOf,
    segmentBytes,
    isClosed: (day) => latest !== undefined && day < latest,
    fenceStride: options.fenceStride,
    fileMode: STORE_MODES.fileMode,
    onRead,
    onError: options.onIndexError ?? (() => undefined),
  });
  /** The day file appends go to, and its size (so appends need no stat to know when to index). */
  let open_: { day: string; fd: number; size: number } | undefined;

  const closeOpen = () => {
    if (open_) closeSync(open_.fd);
    open_ = undefined;
  };

  function appendLine(day: string, line: string): void {
    if (open_?.day !== day) {
      const previous = open_?.day;
      closeOpen();
      const fd = openSync(pathOf(day), 'a', STORE_MODES.fileMode);
      open_ = { day, fd, size: fstatSync(fd).size };
      if (latest === undefined || day > latest) latest = day;
      // The day appends left behind (at midnight): its last tail can be indexed now.
      if (previous !== undefined && previous < day) void catalog.build(previous);
    }
    open_.size += writeSync(open_.fd, line);
    // In the background, after this append returned: the build reads the file on the thread pool.
    if (catalog.due(day, open_.size)) void catalog.build(day);
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
    const keys = filterKeys(filter).map(hashKey);
    for (const day of list) {
      const resume = start && start.day === day ? start.offset : undefined;
      if (keys.length === 0) {
        yield* scanDay(day, filter, wanted, resume);
        continue;
      }
      // Old data, a restart, a migration: index the day now, as far as whole segments go.
      // The segments first, then the size: a segment only covers bytes the file already had, so the
      // size is at least every segment's end unless the file was rewritten (queryDay checks that).
      let segments = catalog.segments(day);
      let size = await sizeOf(pathOf(day));
      if (catalog.due(day, size)) {
        await catalog.build(day);
        segments = catalog.segments(day);
        size = await sizeOf(pathOf(day));
      }
      if (segments.length === 0) {
        yield* scanDay(day, filter, wanted, resume);
        continue;
      }
      yield* queryDay({
        path: pathOf(day),
        size,
        segments,
        keys,
        asc,
        resume,
        onRead,
        scanned: (line) => scanned(day, line, filter, wanted),
        parse: revive,
        hit: (record, offset) => (matches(record, filter) ? { record, cursor: encode([day, offset, record.id]) } : undefined),
        scan: () => scanDay(day, filter, wanted, resume),
        drop: () => catalog.drop(day),
      });
    }
  }

  function scanned(day: string, line: Line, filter: AuditFilter, wanted: string[]): AuditHit | undefined {
    if (!wanted.every((needle) => line.text.includes(needle))) return undefined;
    const record = revive(line.text);
    return record && matches(record, filter) ? { record, cursor: encode([day, line.offset, record.id]) } : undefined;
  }

  /** One day by reading all of it past the cursor (no indexed key, no segments, or a stale index). */
  async function* scanDay(day: string, filter: AuditFilter, wanted: string[], resume: number | undefined): AsyncGenerator<AuditHit> {
    const asc = filter.order === 'asc';
    const lines = asc ? linesForward(pathOf(day), resume ?? 0, undefined, onRead) : linesBackward(pathOf(day), resume, undefined, onRead);
    for await (const line of lines) {
      if (asc && resume !== undefined && line.offset === resume) continue;
      const found = scanned(day, line, filter, wanted);
      if (found) yield found;
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
        if (latest === undefined || day > latest) latest = day;
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
        catalog.drop(day);
        try {
          unlinkSync(pathOf(day));
        } catch (error) {
          if (!missing(error)) throw error;
        }
      }
      return plan.count;
    },
    async scrubAccount(accountId) {
      let changed = 0;
      for (const day of await days()) {
        changed += await scrubDayFile(pathOf(day), accountId, () => {
          // The file is replaced: the next append opens the new one, and the old file's
          // offsets die with it (a build under way on it does not publish).
          if (open_?.day === day) closeOpen();
          catalog.drop(day);
        });
      }
      return changed;
    },
    async buildIndex() {
      for (const day of await days()) await catalog.build(day);
    },
    indexIdle: () => catalog.idle(),
    async close() {
      closeOpen();
      await catalog.close();
    },
  };
}
