/**
 * Answering one day's indexed part of a query (segment.ts): per segment (newest first, or oldest
 * first for `order=asc`), the postings of every key of the filter, intersected by line offset,
 * past the cursor; then the candidate lines, read coalesced: neighbours whose span is at most
 * COALESCE_BYTES come in one read, so a dense match (one type in three) reads like a scan and a
 * sparse one (one person) reads a few hundred bytes per match. Lines are read only as the caller
 * pulls: a page of 50 stops after the reads it needs.
 *
 * Every candidate must still be a whole line (a newline before it, unless at 0, and right after
 * it) that parses: otherwise the day file changed behind the index, and StaleIndexError says so.
 * Matching the whole filter is the caller's job (a 64-bit hash collision yields a stray line).
 */
import { type Line, openIfPresent, type ReadCounter } from '../lines.ts';
import type { KeyHash } from './keys.ts';
import { lookup, type Postings, reader, type Segment, StaleIndexError } from './segment.ts';

/** 64 KiB, the scan's chunk: a gap smaller than this is cheaper to read through than to seek over. */
export const COALESCE_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

export interface IndexedRead {
  path: string;
  segments: Segment[];
  keys: KeyHash[];
  asc: boolean;
  /** Only lines strictly after (asc) or before (desc) this offset: the cursor's line. */
  resume?: number | undefined;
  onRead: ReadCounter;
}

function intersect(lists: Postings[]): Postings {
  const sorted = [...lists].sort((a, b) => a.offsets.length - b.offsets.length);
  let result = sorted[0] as Postings;
  for (const other of sorted.slice(1)) {
    const next: Postings = { offsets: [], lengths: [] };
    let j = 0;
    for (let i = 0; i < result.offsets.length; i += 1) {
      const offset = result.offsets[i] as number;
      while (j < other.offsets.length && (other.offsets[j] as number) < offset) j += 1;
      if (other.offsets[j] === offset) {
        next.offsets.push(offset);
        next.lengths.push(result.lengths[i] as number);
      }
    }
    result = next;
  }
  return result;
}

/** Candidates in runs that one read each covers, in file order. */
function groups(candidates: Postings): Array<[first: number, last: number]> {
  const found: Array<[number, number]> = [];
  for (let i = 0; i < candidates.offsets.length; i += 1) {
    const current = found.at(-1);
    const end = (candidates.offsets[i] as number) + (candidates.lengths[i] as number) + 1;
    if (current && end - (candidates.offsets[current[0]] as number) <= COALESCE_BYTES) current[1] = i;
    else found.push([i, i]);
  }
  return found;
}

export async function* indexedLines(request: IndexedRead): AsyncGenerator<Line> {
  const { asc, resume } = request;
  const readIndex = reader(request.onRead);
  const ordered = asc ? request.segments : [...request.segments].reverse();
  const handle = await openIfPresent(request.path);
  // Purged while the query ran: the day has nothing left, as for a scan.
  if (!handle) return;
  try {
    for (const segment of ordered) {
      if (resume !== undefined && (asc ? segment.to <= resume : segment.from >= resume)) continue;
      const all = intersect(await Promise.all(request.keys.map((key) => lookup(segment, key, readIndex))));
      const candidates: Postings = { offsets: [], lengths: [] };
      for (let i = 0; i < all.offsets.length; i += 1) {
        const offset = all.offsets[i] as number;
        if (resume !== undefined && (asc ? offset <= resume : offset >= resume)) continue;
        candidates.offsets.push(offset);
        candidates.lengths.push(all.lengths[i] as number);
      }
      const runs = groups(candidates);
      if (!asc) runs.reverse();
      for (const [first, last] of runs) {
        const start = candidates.offsets[first] as number;
        const position = Math.max(0, start - 1);
        const end = (candidates.offsets[last] as number) + (candidates.lengths[last] as number) + 1;
        const buffer = Buffer.alloc(end - position);
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
        request.onRead(bytesRead);
        if (bytesRead !== buffer.length) throw new StaleIndexError(`${request.path} is shorter than its index`);
        const lines: Line[] = [];
        for (let i = first; i <= last; i += 1) {
          const offset = candidates.offsets[i] as number;
          const at = offset - position;
          const stop = at + (candidates.lengths[i] as number);
          if ((offset > 0 && buffer[at - 1] !== NEWLINE) || buffer[stop] !== NEWLINE || buffer.subarray(at, stop).includes(NEWLINE)) {
            throw new StaleIndexError(`${request.path} changed at byte ${offset}`);
          }
          lines.push({ text: buffer.toString('utf8', at, stop), offset });
        }
        if (!asc) lines.reverse();
        yield* lines;
      }
    }
  } finally {
    await handle.close();
  }
}
