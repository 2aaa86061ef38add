/**
 * Cursor pagination for every list: `?limit=` (1–100, default 50) and `?cursor=`, answered as
 * `{"items": […], "next_cursor": string|null}`. A cursor is the opaque, base64url-encoded sort key
 * of the last item served; the next page starts after it, so inserts and deletes between two
 * pages never repeat or skip an item that stays.
 */
import { z } from 'zod';
import { AppError } from '../security/errors.ts';

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z
    .string()
    .max(512)
    .regex(/^[A-Za-z0-9_-]*$/)
    .optional(),
};

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export const encodeCursor = (key: string): string => Buffer.from(key, 'utf8').toString('base64url');

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (encodeCursor(key) !== cursor) throw new AppError(400, 'invalid_cursor', 'the cursor is not one this server gave out');
  return key;
}

/** One page of an in-memory list (clients, resources, roles: small sets), ordered by `keyOf`. */
export function paginate<T>(all: readonly T[], keyOf: (item: T) => string, query: { limit: number; cursor?: string | undefined }): Page<T> {
  const after = decodeCursor(query.cursor);
  const sorted = [...all].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  const rest = after === undefined ? sorted : sorted.filter((item) => keyOf(item) > after);
  const items = rest.slice(0, query.limit);
  const last = items.at(-1);
  return { items, next_cursor: rest.length > query.limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}
