/**
 * The segments of every day (segment.ts) and their upkeep: which exist (read from the directory at
 * start-up: contiguous from byte 0 per day; anything else, and stray `*.tmp`, is removed), building
 * the next ones of a day (single-flight per day), and dropping a day's (erasure, purge, a day file
 * changed behind the index).
 *
 * A build writes `<segment>.tmp` and renames it into place only if the day's generation is still
 * the one it started under: `drop` bumps it synchronously, so a build that read the file before an
 * erasure rewrote it, or before a purge deleted it, never publishes.
 */
import { renameSync, unlinkSync } from 'node:fs';
import { readdir, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { missing, type ReadCounter } from '../lines.ts';
import { collect } from './build.ts';
import { encodeSegment, SEGMENT_FILE, type Segment, segmentName } from './segment.ts';

export interface CatalogOptions {
  dir: string;
  dayPath: (day: string) => string;
  segmentBytes: number;
  /**
   * A day that later days follow: appends have moved on, so the last tail (under segmentBytes)
   * of a day that has segments is indexed too, as a shorter last segment, instead of being
   * scanned by every query for good.
   */
  isClosed: (day: string) => boolean;
  /** Entries per fence block (segment.ts FENCE_STRIDE unless a test scales it down with segmentBytes). */
  fenceStride?: number | undefined;
  fileMode: number;
  onRead: ReadCounter;
  /** A build that failed (the query scans instead); never thrown into an append or a query. */
  onError: (error: Error, day: string) => void;
}

export interface Catalog {
  /** The day's segments now, in file order (a query keeps this list: later builds do not change it). */
  segments(day: string): Segment[];
  /** Where the day's un-indexed tail begins. */
  indexedTo(day: string): number;
  /** Whether a day file of `size` bytes has a tail to index: ≥ segmentBytes, or any for a closed day that has segments. */
  due(day: string, size: number): boolean;
  /** Builds the day's segments while it is due; joins a build under way. Never rejects. */
  build(day: string): Promise<void>;
  /** Synchronously deletes the day's segments and stops a build under way from publishing. */
  drop(day: string): void;
  /** Resolves when no build is under way. */
  idle(): Promise<void>;
  /** Stops builds (each stops at its next chunk, publishing nothing) and waits for them. */
  close(): Promise<void>;
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if (!missing(error)) throw error;
  }
}

export async function openCatalog(options: CatalogOptions): Promise<Catalog> {
  const { dir, segmentBytes } = options;
  const byDay = new Map<string, Segment[]>();
  const generation = new Map<string, number>();
  const building = new Map<string, Promise<void>>();
  let closed = false;

  const names = await readdir(dir);
  const found = new Map<string, Array<{ name: string; from: number; to: number }>>();
  for (const name of names) {
    if (name.endsWith('.idx.tmp')) {
      await unlink(join(dir, name)).catch(() => undefined);
      continue;
    }
    const parsed = SEGMENT_FILE.exec(name);
    if (!parsed) continue;
    const [, day, from, to] = parsed as unknown as [string, string, string, string];
    found.set(day, [...(found.get(day) ?? []), { name, from: Number(from), to: Number(to) }]);
  }
  for (const [day, list] of found) {
    list.sort((a, b) => a.from - b.from);
    const kept: Segment[] = [];
    const dayExists = names.includes(`${day}.ndjson`);
    for (const { name, from, to } of list) {
      // A chain from 0 with no gap or overlap; the rest is left-over (a crash between unlinks).
      if (dayExists && from === (kept.at(-1)?.to ?? 0) && to > from) kept.push({ path: join(dir, name), from, to });
      else await unlink(join(dir, name)).catch(() => undefined);
    }
    if (kept.length) byDay.set(day, kept);
  }

  const indexedTo = (day: string) => byDay.get(day)?.at(-1)?.to ?? 0;
  // A day smaller than one segment stays unindexed: scanning it is a read of under segmentBytes.
  const due = (day: string, size: number) => size - indexedTo(day) >= (indexedTo(day) > 0 && options.isClosed(day) ? 1 : segmentBytes);

  /** Builds and publishes one segment; false when there is nothing (more) to build. */
  async function buildOne(day: string): Promise<boolean> {
    const path = options.dayPath(day);
    const started = generation.get(day) ?? 0;
    const from = indexedTo(day);
    const stale = () => closed || (generation.get(day) ?? 0) !== started;
    const { size } = await stat(path);
    if (!due(day, size) || stale()) return false;
    const collected = await collect(path, from, segmentBytes, options.onRead, stale);
    if (!collected || stale()) return false;
    const target = join(dir, segmentName(day, from, collected.to));
    const temporary = `${target}.tmp`;
    await writeFile(temporary, encodeSegment(from, collected.to, collected.entries, options.fenceStride), { mode: options.fileMode });
    // From the check to the rename, synchronously: no drop can fall between.
    if (stale() || indexedTo(day) !== from) {
      unlinkQuietly(temporary);
      return false;
    }
    renameSync(temporary, target);
    byDay.set(day, [...(byDay.get(day) ?? []), { path: target, from, to: collected.to }]);
    return true;
  }

  async function run(day: string): Promise<void> {
    try {
      while (await buildOne(day));
    } catch (error) {
      // A purged day or a removed directory is not a failure of the index.
      if (!missing(error)) options.onError(error as Error, day);
    } finally {
      building.delete(day);
    }
  }

  return {
    segments: (day) => [...(byDay.get(day) ?? [])],
    indexedTo,
    due,
    build(day) {
      if (closed) return Promise.resolve();
      let pending = building.get(day);
      if (!pending) {
        pending = run(day);
        building.set(day, pending);
      }
      return pending;
    },
    drop(day) {
      generation.set(day, (generation.get(day) ?? 0) + 1);
      for (const segment of byDay.get(day) ?? []) unlinkQuietly(segment.path);
      byDay.delete(day);
    },
    async idle() {
      while (building.size) await Promise.all(building.values());
    },
    async close() {
      closed = true;
      await Promise.all(building.values());
    },
  };
}
