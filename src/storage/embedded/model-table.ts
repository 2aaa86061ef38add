/**
 * One model's records in memory: a Map by id, and a Map of id sets for each field the model is
 * looked up by. Insert, update and delete are O(1) in the number of records sharing a value (nedb
 * kept those in an array that each write rescanned). Expiry is checked at each read, and swept
 * now and then so records nobody reads again do not stay in memory.
 *
 * Every method is synchronous: one call is one step nothing can interleave with, which is what
 * makes `consume` a compare-and-set that exactly one caller wins.
 */
import { type LookupField, parseLine, type Row } from './model-lines.ts';

export interface ModelTable {
  get(id: string): Row | undefined;
  /** Live rows whose `field` equals `value`, by index when the model has one, else by scan. */
  where(field: LookupField, value: string): Array<[string, Row]>;
  set(id: string, row: Row): void;
  delete(id: string): boolean;
  /** Drops every expired row; returns how many live ones are left. */
  sweep(): number;
  entries(): IterableIterator<[string, Row]>;
}

/** nedb's default `corruptAlertThreshold`: more than 10 % unreadable lines refuse the start. */
const CORRUPT_THRESHOLD = 0.1;

export function createModelTable(indexed: ReadonlyArray<LookupField>, now: () => number = Date.now): ModelTable {
  const rows = new Map<string, Row>();
  const indexes = new Map<LookupField, Map<string, Set<string>>>(indexed.map((field) => [field, new Map()]));

  const expired = (row: Row) => row.expiresAt !== undefined && row.expiresAt <= now();

  function unindex(id: string, row: Row): void {
    for (const [field, index] of indexes) {
      const value = row[field];
      if (value === undefined) continue;
      const ids = index.get(value);
      ids?.delete(id);
      if (ids?.size === 0) index.delete(value);
    }
  }

  function remove(id: string): boolean {
    const row = rows.get(id);
    if (!row) return false;
    rows.delete(id);
    unindex(id, row);
    return true;
  }

  function live(id: string): Row | undefined {
    const row = rows.get(id);
    if (row && expired(row)) {
      remove(id);
      return undefined;
    }
    return row;
  }

  return {
    get: live,
    where(field, value) {
      const found: Array<[string, Row]> = [];
      const index = indexes.get(field);
      if (index) {
        for (const id of [...(index.get(value) ?? [])]) {
          const row = live(id);
          if (row) found.push([id, row]);
        }
        return found;
      }
      for (const [id, row] of rows) {
        if (row[field] === value && !expired(row)) found.push([id, row]);
      }
      return found;
    },
    set(id, row) {
      const before = rows.get(id);
      if (before) unindex(id, before);
      rows.set(id, row);
      for (const [field, index] of indexes) {
        const value = row[field];
        if (value === undefined) continue;
        let ids = index.get(value);
        if (!ids) {
          ids = new Set();
          index.set(value, ids);
        }
        ids.add(id);
      }
    },
    delete: remove,
    sweep() {
      for (const [id, row] of rows) if (expired(row)) remove(id);
      return rows.size;
    },
    entries: () => rows.entries(),
  };
}

/** Replays a model file into `table`: the last line of an id wins, `$$deleted` removes it. */
export function loadLines(table: ModelTable, text: string, filename: string): void {
  let total = 0;
  let corrupt = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    total += 1;
    try {
      const parsed = parseLine(line);
      if (parsed.kind === 'row') table.set(parsed.id, parsed.row);
      else if (parsed.kind === 'deleted') table.delete(parsed.id);
    } catch {
      corrupt += 1;
    }
  }
  if (total > 0 && corrupt / total > CORRUPT_THRESHOLD) {
    throw new Error(`${filename}: ${corrupt} of ${total} lines are unreadable; refusing to start rather than lose records`);
  }
  table.sweep();
}
