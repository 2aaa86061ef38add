/**
 * Opening @seald-io/nedb collections under the data directory. nedb keeps each collection in
 * memory and appends every change to one file per collection; its executor runs writes one at a
 * time, which is what makes a conditional update an atomic compare-and-set inside one process.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { appendSynchronously } from './append.ts';
import { Datastore, type Db } from './nedb.ts';

/**
 * The files hold bearer records, account hashes and sealed keys: owner-only (nedb's defaults are
 * 0644 and 0755). openStore (embedded/permissions.ts) tightens directories written before this.
 */
export const STORE_MODES = { fileMode: 0o600, dirMode: 0o700 } as const;

export type Collection = Db;

export interface CollectionSet {
  open(name: string): Promise<Collection>;
  all(): Collection[];
}

export async function createCollectionSet(dataDir: string): Promise<CollectionSet> {
  await mkdir(dataDir, { recursive: true, mode: STORE_MODES.dirMode });
  const open = new Map<string, Promise<Collection>>();
  const ready: Collection[] = [];
  return {
    open(name) {
      let pending = open.get(name);
      if (!pending) {
        pending = (async () => {
          const collection = new Datastore({ filename: join(dataDir, `${name}.db`), modes: STORE_MODES });
          await collection.loadDatabaseAsync();
          appendSynchronously(collection);
          // Compaction runs on our own timer (compaction.ts), never nedb's: its failures must not crash.
          ready.push(collection);
          return collection;
        })();
        open.set(name, pending);
      }
      return pending;
    },
    all: () => ready,
  };
}

export function isUniqueViolation(error: unknown): boolean {
  return (error as { errorType?: string } | null)?.errorType === 'uniqueViolated';
}
