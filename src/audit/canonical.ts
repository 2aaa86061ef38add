/**
 * Canonical JSON for MACs (audit/chain.ts): object keys sorted at every depth, `undefined` left
 * out, everything else as JSON.stringify writes it (a Date as its ISO string). A record read back
 * from either backend (Dates revived, NDJSON re-parsed, mongo keys unescaped) gives the same text
 * as the record that was written, so its MAC can be recomputed.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : sortKeys(item)));
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined) sorted[key] = sortKeys(item);
  }
  return sorted;
}
