/**
 * Building one segment (segment.ts): the complete lines of a day file from `from` on, up to
 * `segmentBytes` of file (at least one line) or MAX_ENTRIES entries, read a 64 KiB chunk at a time
 * through linesForward, so the event loop gets back between chunks; a segment of 4 MiB parses
 * ~11 000 lines and sorts ~80 000 entries (a few ms). A line being appended (no newline yet) ends
 * the segment before it. Lines that are not records are filed under nothing.
 */
import { type Line, linesForward, type ReadCounter } from '../lines.ts';
import { hashKey, recordKeys } from './keys.ts';
import { type Entries, MAX_ENTRIES } from './segment.ts';

export interface Collected {
  to: number;
  entries: Entries;
}

function keysOf(line: Line): string[] {
  try {
    const parsed = JSON.parse(line.text) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? recordKeys(parsed) : [];
  } catch {
    return [];
  }
}

/** The entries of the lines in [from, ≤ from + segmentBytes); undefined when no complete line lies there. */
export async function collect(path: string, from: number, segmentBytes: number, onRead: ReadCounter, stop: () => boolean): Promise<Collected | undefined> {
  const entries: Entries = { hi: [], lo: [], offsets: [], lengths: [] };
  let to = from;
  for await (const line of linesForward(path, from, undefined, onRead)) {
    if (stop()) return undefined;
    // Bytes, not characters: offsets and lengths are positions in the file.
    const length = Buffer.byteLength(line.text);
    const end = line.offset + length + 1;
    const keys = keysOf(line);
    if (to > from && (end - from > segmentBytes || entries.hi.length + keys.length > MAX_ENTRIES)) break;
    for (const key of keys) {
      const { hi, lo } = hashKey(key);
      entries.hi.push(hi);
      entries.lo.push(lo);
      entries.offsets.push(line.offset);
      entries.lengths.push(length);
    }
    to = end;
  }
  return to > from ? { to, entries } : undefined;
}
