/**
 * Reading an NDJSON file a chunk at a time, forwards or backwards, with the byte offset of each
 * line (the embedded audit trail's cursors point at lines). Each chunk is one `read` on the
 * thread pool, so a long scan gives the event loop back between chunks and holds one chunk (plus
 * one partial line) in memory, whatever the file's size. A last line without its newline is a
 * write still under way and is left out.
 */
import { open, stat } from 'node:fs/promises';

/** 64 KiB: a few hundred records per read. */
export const CHUNK_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

export interface Line {
  text: string;
  /** Byte offset of the line's first byte. */
  offset: number;
}

/** Told how many bytes each read returned (statistics; the index's tests count them). */
export type ReadCounter = (bytes: number) => void;
const ignore: ReadCounter = () => undefined;

/** Whether a file operation failed because the file is not there. */
export const missing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/** The file's size in bytes; 0 when it does not exist. */
export async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if (missing(error)) return 0;
    throw error;
  }
}

/** The file opened for reading, or undefined when it does not exist (a day with no records). */
export async function openIfPresent(path: string): Promise<Awaited<ReturnType<typeof open>> | undefined> {
  try {
    return await open(path, 'r');
  } catch (error) {
    if (missing(error)) return undefined;
    throw error;
  }
}

/** Lines starting at or after `start`, in file order. A missing file has none. */
export async function* linesForward(path: string, start = 0, chunkBytes = CHUNK_BYTES, onRead: ReadCounter = ignore): AsyncGenerator<Line> {
  const handle = await openIfPresent(path);
  if (!handle) return;
  try {
    let position = start;
    let carry = Buffer.alloc(0);
    let carryOffset = start;
    const buffer = Buffer.allocUnsafe(chunkBytes);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, chunkBytes, position);
      onRead(bytesRead);
      if (bytesRead === 0) return;
      const data = carry.length ? Buffer.concat([carry, buffer.subarray(0, bytesRead)]) : buffer.subarray(0, bytesRead);
      let from = 0;
      for (let at = data.indexOf(NEWLINE); at !== -1; at = data.indexOf(NEWLINE, from)) {
        if (at > from) yield { text: data.toString('utf8', from, at), offset: carryOffset + from };
        from = at + 1;
      }
      carry = Buffer.from(data.subarray(from));
      carryOffset += from;
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/**
 * Lines that end before `end` (default: the file's size when called), last line first, down to
 * `floor` (a line's start: the index's tail ends there, so nothing before it is read).
 */
export async function* linesBackward(path: string, end?: number, chunkBytes = CHUNK_BYTES, onRead: ReadCounter = ignore, floor = 0): AsyncGenerator<Line> {
  const handle = await openIfPresent(path);
  if (!handle) return;
  try {
    let position = end ?? (await handle.stat()).size;
    // File bytes [position, position + tail.length): the start of a line whose beginning lies
    // before `position`, ending with its newline once the trailing partial line is cut off.
    let tail = Buffer.alloc(0);
    let trimmed = false;
    const buffer = Buffer.allocUnsafe(chunkBytes);
    while (position > floor) {
      const from = Math.max(floor, position - chunkBytes);
      const { bytesRead } = await handle.read(buffer, 0, position - from, from);
      onRead(bytesRead);
      let data = Buffer.concat([buffer.subarray(0, bytesRead), tail]);
      if (!trimmed) {
        // Whatever follows the last newline is an append under way (or nothing): not a line yet.
        const last = data.lastIndexOf(NEWLINE);
        if (last === -1) {
          if (from === floor) return;
          tail = data;
          position = from;
          continue;
        }
        data = data.subarray(0, last + 1);
        trimmed = true;
      }
      let lineEnd = data.length - 1;
      for (;;) {
        const start = lineEnd === 0 ? -1 : data.lastIndexOf(NEWLINE, lineEnd - 1);
        if (start === -1) break;
        if (lineEnd > start + 1) yield { text: data.toString('utf8', start + 1, lineEnd), offset: from + start + 1 };
        lineEnd = start;
      }
      if (from === floor) {
        if (lineEnd > 0) yield { text: data.toString('utf8', 0, lineEnd), offset: floor };
        return;
      }
      tail = Buffer.from(data.subarray(0, lineEnd + 1));
      position = from;
    }
  } finally {
    await handle.close();
  }
}
