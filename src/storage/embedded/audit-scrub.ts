/**
 * Erasure in the embedded trail's day files (audit-trail.ts): a file holding records about the
 * account is copied line by line into `<day>.ndjson.scrub` with the personal fields of those
 * records removed (mac and personalMac stay, so the chain still verifies), then renamed over the
 * original. The last step is synchronous: lines appended while the copy ran are copied too, and
 * no append can fall between that and the rename.
 */
import { closeSync, fstatSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { type AuditRecord, PERSONAL_AUDIT_FIELDS } from '../port.ts';
import { STORE_MODES } from './datastore.ts';
import { linesForward } from './lines.ts';

/** A line as a record; undefined for a line that is not one (verify reports the gap it leaves). */
export function revive(text: string): AuditRecord | undefined {
  try {
    const parsed = JSON.parse(text) as AuditRecord & { at: string };
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.id !== 'string') return undefined;
    return { ...parsed, at: new Date(parsed.at) };
  } catch {
    return undefined;
  }
}

function scrubbed(record: AuditRecord): AuditRecord {
  const { ip: _ip, userAgent: _userAgent, ...rest } = record;
  if (rest.detail) {
    const detail = { ...rest.detail };
    for (const field of PERSONAL_AUDIT_FIELDS) delete detail[field];
    rest.detail = detail;
  }
  return rest;
}

/** Scrubs `accountId`'s records in one day file; `beforeRename` runs just before the swap. Resolves with how many changed. */
export async function scrubDayFile(path: string, accountId: string, beforeRename: () => void): Promise<number> {
  const temporary = `${path}.scrub`;
  let changed = 0;
  const transform = (text: string): string => {
    const record = revive(text);
    if (!record || record.accountId !== accountId) return text;
    changed += 1;
    return JSON.stringify(scrubbed(record));
  };
  const out = await open(temporary, 'w', STORE_MODES.fileMode);
  let copied = 0;
  try {
    for await (const line of linesForward(path)) {
      await out.write(`${transform(line.text)}\n`);
      copied = line.offset + Buffer.byteLength(line.text) + 1;
    }
    await out.sync();
  } finally {
    await out.close();
  }
  if (changed === 0) {
    await unlink(temporary);
    return 0;
  }
  // From here to the rename, synchronously.
  const source = openSync(path, 'r');
  const target = openSync(temporary, 'a');
  try {
    const size = fstatSync(source).size;
    if (size > copied) {
      const rest = Buffer.alloc(size - copied);
      readSync(source, rest, 0, rest.length, copied);
      const text = rest.toString('utf8');
      const complete = text.slice(0, text.lastIndexOf('\n') + 1);
      const lines = complete.split('\n').filter(Boolean);
      writeSync(target, lines.map((line) => `${transform(line)}\n`).join('') + text.slice(complete.length));
    }
  } finally {
    closeSync(source);
    closeSync(target);
  }
  beforeRename();
  renameSync(temporary, path);
  return changed;
}
