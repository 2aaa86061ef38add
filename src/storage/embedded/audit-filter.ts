/**
 * What the embedded trail's queries match by (audit-trail.ts): a record against a filter, the
 * cheap substring test before parsing a line, and the cursor `[day, byte offset, id]` as
 * base64url (unchanged by the index: offsets are the day file's, wherever a line was found).
 */
import { AuditCursorError, type AuditFilter, type AuditRecord } from '../port.ts';

/** Each filter value as it must appear in a matching line: a cheap test before JSON.parse. */
export function needles(filter: AuditFilter): string[] {
  const found: string[] = [];
  for (const value of [filter.accountId, filter.actorId, filter.clientId, filter.ip]) if (value) found.push(JSON.stringify(value));
  if (filter.typePrefix) found.push(JSON.stringify(filter.typePrefix).slice(0, -1));
  return found;
}

export function matches(record: AuditRecord, filter: AuditFilter): boolean {
  if (filter.typePrefix && !record.type.startsWith(filter.typePrefix)) return false;
  if (filter.accountId && record.accountId !== filter.accountId) return false;
  if (filter.actorId && record.actor?.id !== filter.actorId) return false;
  if (filter.clientId && record.clientId !== filter.clientId) return false;
  if (filter.ip && record.ip !== filter.ip) return false;
  const at = record.at.getTime();
  if (filter.since && at < filter.since.getTime()) return false;
  if (filter.until && at >= filter.until.getTime()) return false;
  return true;
}

export type Cursor = [day: string, offset: number, id: string];

export const encode = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

export function decode(cursor: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 3 &&
      typeof value[0] === 'string' &&
      /^\d{4}-\d{2}-\d{2}$/.test(value[0]) &&
      Number.isSafeInteger(value[1]) &&
      value[1] >= 0 &&
      typeof value[2] === 'string'
    ) {
      return value as Cursor;
    }
  } catch {
    // Falls through to the refusal.
  }
  throw new AuditCursorError('not a cursor of this trail');
}
