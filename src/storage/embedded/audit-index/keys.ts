/**
 * What the embedded trail's index (segment.ts) files a record under, and how a filter asks for it:
 * `a:` accountId, `r:` actor.id, `c:` clientId, `i:` ip, and `t:` + every prefix of `type` that
 * ends at a dot (`admin.users.update` → `t:admin.`, `t:admin.users.`). Each key is hashed to 64
 * bits; a collision only costs a read, because every candidate line is parsed and checked against
 * the whole filter before it is returned.
 */
import { hash } from 'node:crypto';
import type { AuditFilter } from '../../port.ts';

/** The fields of a stored line the index reads (the line is JSON; nothing is trusted to be there). */
interface Indexed {
  type?: unknown;
  accountId?: unknown;
  clientId?: unknown;
  ip?: unknown;
  actor?: { id?: unknown } | null;
}

/** A 64-bit key hash as two 32-bit halves (typed arrays hold them; BigInt would be slower to sort). */
export interface KeyHash {
  hi: number;
  lo: number;
}

export function hashKey(key: string): KeyHash {
  const digest = hash('sha256', key, 'buffer');
  return { hi: digest.readUInt32BE(0), lo: digest.readUInt32BE(4) };
}

function typeKeys(type: string): string[] {
  const keys: string[] = [];
  for (let dot = type.indexOf('.'); dot !== -1; dot = type.indexOf('.', dot + 1)) keys.push(`t:${type.slice(0, dot + 1)}`);
  return keys;
}

/** Every key a stored line is filed under (none for a line that is not a record). */
export function recordKeys(line: Indexed): string[] {
  const keys: string[] = [];
  const add = (prefix: string, value: unknown) => {
    if (typeof value === 'string' && value !== '') keys.push(`${prefix}${value}`);
  };
  add('a:', line.accountId);
  add('r:', line.actor?.id);
  add('c:', line.clientId);
  add('i:', line.ip);
  if (typeof line.type === 'string') keys.push(...typeKeys(line.type));
  return keys;
}

/**
 * The keys a filter can be answered by (every match is filed under all of them); empty when the
 * filter has none (only since/until, or a type prefix without a dot), which is answered by a scan.
 * A type prefix is looked up by its part up to its last dot (`login.fai` → `t:login.`).
 */
export function filterKeys(filter: AuditFilter): string[] {
  const keys: string[] = [];
  if (filter.accountId) keys.push(`a:${filter.accountId}`);
  if (filter.actorId) keys.push(`r:${filter.actorId}`);
  if (filter.clientId) keys.push(`c:${filter.clientId}`);
  if (filter.ip) keys.push(`i:${filter.ip}`);
  const dot = filter.typePrefix?.lastIndexOf('.') ?? -1;
  if (filter.typePrefix && dot !== -1) keys.push(`t:${filter.typePrefix.slice(0, dot + 1)}`);
  return keys;
}
