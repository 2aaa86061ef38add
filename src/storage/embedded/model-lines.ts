/**
 * The line format of the model files (`oidc-<Model>.db`): nedb's, so that a data directory written
 * by the nedb-backed model store (before 2026-12) loads unchanged, and one written now still loads
 * in that version (a rollback loses nothing). One JSON object per line, the last line of an id wins:
 *
 *   {"_id":"…","data":"<payload JSON>","grantId":"…","consumed":1733100000,"expiresAt":{"$$date":1733100600000}}
 *   {"$$deleted":true,"_id":"…"}
 *   {"$$indexCreated":{"fieldName":"grantId","unique":false,"sparse":true}}   (compacted files only)
 *
 * The payload stays a JSON string inside the line: Session payloads use client ids (with dots) as
 * object keys, which nedb refused as field names.
 */

export const LOOKUP_FIELDS = ['grantId', 'uid', 'userCode', 'accountId'] as const;
export type LookupField = (typeof LOOKUP_FIELDS)[number];

/** One live record as the table keeps it. */
export interface Row {
  /** The payload, serialised once at write; parsed at each read so no caller shares an object. */
  data: string;
  /** Epoch ms; absent when the record never expires. */
  expiresAt: number | undefined;
  /** Epoch seconds of the one winning consume. */
  consumed: number | undefined;
  grantId: string | undefined;
  uid: string | undefined;
  userCode: string | undefined;
  accountId: string | undefined;
}

export type Line = { kind: 'row'; id: string; row: Row } | { kind: 'deleted'; id: string } | { kind: 'other' };

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** Throws on a line that is not JSON or not a record; the loader counts those as corrupt. */
export function parseLine(line: string): Line {
  const doc = JSON.parse(line) as Record<string, unknown>;
  const id = doc._id;
  if (typeof id !== 'string') {
    if (doc.$$indexCreated !== undefined || doc.$$indexRemoved !== undefined) return { kind: 'other' };
    throw new Error('a line without an _id');
  }
  if (doc.$$deleted === true) return { kind: 'deleted', id };
  if (typeof doc.data !== 'string') throw new Error('a record without its payload');
  const expires = doc.expiresAt as { $$date?: unknown } | undefined;
  return {
    kind: 'row',
    id,
    row: {
      data: doc.data,
      expiresAt: typeof expires?.$$date === 'number' ? expires.$$date : undefined,
      consumed: typeof doc.consumed === 'number' ? doc.consumed : undefined,
      grantId: text(doc.grantId),
      uid: text(doc.uid),
      userCode: text(doc.userCode),
      accountId: text(doc.accountId),
    },
  };
}

/** Built by hand rather than by stringifying a document: the payload is already JSON. */
export function rowLine(id: string, row: Row): string {
  let line = `{"_id":${JSON.stringify(id)},"data":${JSON.stringify(row.data)}`;
  for (const field of LOOKUP_FIELDS) {
    const value = row[field];
    if (value !== undefined) line += `,"${field}":${JSON.stringify(value)}`;
  }
  if (row.consumed !== undefined) line += `,"consumed":${row.consumed}`;
  if (row.expiresAt !== undefined) line += `,"expiresAt":{"$$date":${row.expiresAt}}`;
  return `${line}}\n`;
}

export function deletedLine(id: string): string {
  return `{"$$deleted":true,"_id":${JSON.stringify(id)}}\n`;
}

/** What nedb writes at the end of a compacted file for each index, so a rollback rebuilds them. */
export function indexLine(fieldName: string, sparse: boolean): string {
  return `${JSON.stringify({ $$indexCreated: { fieldName, unique: false, sparse } })}\n`;
}
