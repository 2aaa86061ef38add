/**
 * How an embedded collection writes its changes to disk. nedb appends each change with
 * `fs.promises.appendFile` — open, write, close: three thread-pool round trips — and its
 * per-collection queue holds every later read and write of that collection until they are done.
 * Under load that queue, not the CPU, capped the token endpoint (refresh: 4 writes per request).
 *
 * Here a collection keeps its file open for appending and writes each change with one
 * synchronous write(2) into the page cache (as nedb's appendFile did: no fsync, so a crash of the
 * process loses nothing that was acknowledged; a crash of the machine may lose the last writes,
 * as before). The file is reopened after each compaction, which replaces it by rename.
 *
 * This replaces one method of nedb's persistence object (`persistNewStateAsync`, nedb 4.1.x,
 * pinned exactly in package.json); the persistence tests in test/storage catch a change there.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Db } from './nedb.ts';

interface Persistence {
  inMemoryOnly: boolean;
  filename: string;
  modes: { fileMode: number };
  persistNewStateAsync(docs: object[]): Promise<void>;
}

/** nedb's line format (model.serialize): JSON, with Dates as {"$$date": epoch ms}. */
function serialize(doc: object): string {
  return JSON.stringify(doc, function (this: Record<string, unknown>, key, value) {
    if (value === undefined) return undefined;
    if (value === null) return null;
    const raw = this[key];
    if (raw instanceof Date) return { $$date: raw.getTime() };
    return value;
  });
}

export function appendSynchronously(collection: Db): void {
  const persistence = (collection as unknown as { persistence: Persistence }).persistence;
  if (persistence.inMemoryOnly) return;
  let fd: number | undefined;
  const close = () => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  (collection as unknown as { on(event: string, listener: () => void): void }).on('compaction.done', close);
  persistence.persistNewStateAsync = async (docs) => {
    if (docs.length === 0) return;
    let lines = '';
    for (const doc of docs) lines += `${serialize(doc)}\n`;
    fd ??= openSync(persistence.filename, 'a', persistence.modes.fileMode);
    writeSync(fd, lines);
  };
}
