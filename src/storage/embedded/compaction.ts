/**
 * Rewriting the embedded store's append-only files, on a timer we own. nedb's own
 * `setAutocompactionInterval` calls `compactDatafileAsync()` without a catch: one failed rewrite
 * (disk full, EACCES, EROFS, an I/O error) was an unhandled rejection that killed the process.
 *
 * Here each collection is compacted in turn and a failure is caught, reported and remembered:
 * the store's ping (and so /readyz) says "not ready" while any collection's last compaction
 * failed, and ready again once a later one succeeds. Nothing is lost meanwhile: the appended
 * file being compacted is left as it was, and new writes keep being appended to it.
 */
import { basename } from 'node:path';

/** A nedb collection, or a model store (models.ts): both rewrite their own file. */
export interface Compactable {
  readonly filename: string;
  compactDatafileAsync(): Promise<void>;
}

export interface CompactionReport {
  collection: string;
  /** Set when this compaction failed; absent when it succeeded after an earlier failure. */
  error?: Error;
}

export interface Compactor {
  /** Compacts every open collection once, one after the other; never rejects. */
  run(): Promise<void>;
  /** Collections whose last compaction failed, with the error. */
  failures(): ReadonlyMap<string, Error>;
  stop(): void;
}

export interface CompactorOptions {
  /** Milliseconds between the end of one round and the start of the next. */
  intervalMs: number;
  report: (report: CompactionReport) => void;
}

const nameOf = (collection: Compactable) => basename(collection.filename, '.db');

export function createCompactor(collections: () => Compactable[], options: CompactorOptions): Compactor {
  const failing = new Map<string, Error>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let round: Promise<void> | undefined;

  async function compactAll(): Promise<void> {
    for (const collection of collections()) {
      const name = nameOf(collection);
      try {
        await collection.compactDatafileAsync();
        if (failing.delete(name)) options.report({ collection: name });
      } catch (caught) {
        const error = caught instanceof Error ? caught : new Error(String(caught));
        failing.set(name, error);
        options.report({ collection: name, error });
      }
    }
  }

  // Rounds never overlap: a manual run joins the one in progress.
  function run(): Promise<void> {
    round ??= compactAll().finally(() => {
      round = undefined;
    });
    return round;
  }

  // setTimeout after each round, not setInterval: a slow round is never stacked on another.
  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => void run().then(schedule), options.intervalMs);
    timer.unref();
  }
  schedule();

  return {
    run,
    failures: () => failing,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
