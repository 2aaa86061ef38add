/**
 * Making opaque documents safe to store as MongoDB sub-documents.
 *
 * oidc-provider payloads use client ids and resource URLs as object keys (Session
 * `authorizations`, Grant `resources`), and both may contain dots. MongoDB reads a dot in a field
 * name as a path separator in queries and updates, and a leading `$` as an operator, so such keys
 * are stored escaped, percent-style: `%` → `%25`, `.` → `%2E`, `$` → `%24`. Escaping `%` itself is
 * what makes the mapping reversible: after escaping, every `%` starts one of the three escapes.
 * Keys without those characters (every field we index or query by) are stored unchanged.
 *
 * Values that are `undefined` are dropped from objects and become `null` in arrays, exactly as
 * JSON.stringify does; the embedded backend stores JSON, so both backends give the same payload
 * back. (Left alone, the driver would store `undefined` members as `null`.)
 */

const ESCAPES: Record<string, string> = { '%': '%25', '.': '%2E', $: '%24' };
const UNESCAPES: Record<string, string> = { '%25': '%', '%2E': '.', '%24': '$' };

export function escapeKey(key: string): string {
  return key.replace(/[%.$]/g, (char) => ESCAPES[char] ?? char);
}

export function unescapeKey(key: string): string {
  return key.replace(/%(?:25|2E|24)/g, (sequence) => UNESCAPES[sequence] ?? sequence);
}

/** Only plain objects are rewritten; Dates, Buffers and other BSON values pass through as they are. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function mapKeys(value: unknown, rename: (key: string) => string): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => (item === undefined ? null : mapKeys(item, rename)));
  }
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    // defineProperty, not assignment: a stored "__proto__" key must stay data, not a prototype.
    Object.defineProperty(out, rename(key), {
      value: mapKeys(item, rename),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** A deep copy of `value` with every object key escaped; see the module comment. */
export function escapeKeys<T>(value: T): T {
  return mapKeys(value, escapeKey) as T;
}

/** The inverse of escapeKeys. */
export function unescapeKeys<T>(value: T): T {
  return mapKeys(value, unescapeKey) as T;
}
