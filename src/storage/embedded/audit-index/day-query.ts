/**
 * One day of a query with an indexed key, in the query's order: the un-indexed tail (after the
 * last segment's `to`) by scanning, and the segments through lookup.ts; newest first, the tail
 * comes first, oldest first, last. When the day file turns out to have changed behind the index
 * (a segment beyond the file's end, a candidate that is not a whole record line), the day's
 * segments are dropped and the rest of the day is answered by a scan, leaving out what was
 * already served (by id): wrong or repeated records are never returned; the index is rebuilt by
 * a later query or append.
 */
import type { AuditHit, AuditRecord } from '../../port.ts';
import { type Line, linesBackward, linesForward, type ReadCounter } from '../lines.ts';
import type { KeyHash } from './keys.ts';
import { indexedLines } from './lookup.ts';
import { type Segment, StaleIndexError } from './segment.ts';

export interface DayQuery {
  path: string;
  /** The day file's size when the query reached it (appends only grow it). */
  size: number;
  segments: Segment[];
  keys: KeyHash[];
  asc: boolean;
  resume: number | undefined;
  onRead: ReadCounter;
  /** The hit for a scanned line (cheap prefilter, parse, match), or undefined. */
  scanned(line: Line): AuditHit | undefined;
  /** A line as a record; undefined when it is not one. */
  parse(text: string): AuditRecord | undefined;
  hit(record: AuditRecord, offset: number): AuditHit | undefined;
  /** The whole day (past the cursor) by scanning: the fallback. */
  scan(): AsyncIterable<AuditHit>;
  /** Drops the day's segments (synchronously). */
  drop(): void;
}

async function* tail(query: DayQuery, to: number): AsyncGenerator<AuditHit> {
  const { asc, resume, path } = query;
  if (asc) {
    const start = Math.max(to, resume ?? 0);
    for await (const line of linesForward(path, start, undefined, query.onRead)) {
      if (line.offset === resume) continue;
      const found = query.scanned(line);
      if (found) yield found;
    }
    return;
  }
  if (resume !== undefined && resume < to) return;
  for await (const line of linesBackward(path, resume, undefined, query.onRead, to)) {
    const found = query.scanned(line);
    if (found) yield found;
  }
}

async function* indexed(query: DayQuery, to: number, served: Set<string>): AsyncGenerator<AuditHit> {
  // Appends only grow the file; a file shorter than the index was rewritten (or truncated).
  if (query.size < to) throw new StaleIndexError(`${query.path} is shorter than its index`);
  if (!query.asc) for await (const found of tail(query, to)) yield remember(found, served);
  for await (const line of indexedLines(query)) {
    const record = query.parse(line.text);
    // The builder files only lines that parse: one that does not was changed since.
    if (!record) throw new StaleIndexError(`${query.path} has a line at ${line.offset} that the index did not file`);
    const found = query.hit(record, line.offset);
    if (found) yield remember(found, served);
  }
  if (query.asc) for await (const found of tail(query, to)) yield remember(found, served);
}

function remember(found: AuditHit, served: Set<string>): AuditHit {
  served.add(found.record.id);
  return found;
}

export async function* queryDay(query: DayQuery): AsyncGenerator<AuditHit> {
  const to = query.segments.at(-1)?.to ?? 0;
  const served = new Set<string>();
  try {
    yield* indexed(query, to, served);
  } catch (error) {
    if (!(error instanceof StaleIndexError)) throw error;
    query.drop();
    for await (const found of query.scan()) if (!served.has(found.record.id)) yield found;
  }
}
