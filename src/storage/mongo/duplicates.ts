/**
 * Recognising MongoDB's duplicate-key error (E11000) and naming the field that collided.
 * Pure, so it is tested with constructed error objects.
 */
import { DuplicateError } from '../port.ts';

const DUPLICATE_KEY = 11000;

interface DuplicateKeyLike {
  code?: unknown;
  keyPattern?: unknown;
  keyValue?: unknown;
  message?: unknown;
}

export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as DuplicateKeyLike).code === DUPLICATE_KEY;
}

/**
 * The first field of the index that refused the write, from `keyPattern` (servers since 4.2
 * send it); older servers only name the index in the message (`index: email_1 dup key`).
 */
export function duplicateField(error: unknown): string | undefined {
  if (!isDuplicateKey(error)) return undefined;
  const { keyPattern, keyValue, message } = error as DuplicateKeyLike;
  for (const source of [keyPattern, keyValue]) {
    if (typeof source === 'object' && source !== null) {
      const [field] = Object.keys(source);
      if (field) return field;
    }
  }
  const match = typeof message === 'string' ? /index: (\S+?)_-?1\b/.exec(message) : null;
  return match?.[1];
}

/** Turns E11000 on one of `fields` into DuplicateError(field); anything else is returned as is. */
export function toDuplicateError(error: unknown, fields: readonly string[]): unknown {
  const field = duplicateField(error);
  return field && fields.includes(field) ? new DuplicateError(field) : error;
}
