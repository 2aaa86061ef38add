/**
 * The secrets in reset and verification links: 32 random bytes (256 bits) in base64url, 43
 * characters. Only their SHA-256 digest is stored (as the record id), so a copy of the store
 * (backup, replica, a read-only leak) holds no working link; a 256-bit secret needs no slow hash.
 */
import { createHash, randomBytes } from 'node:crypto';

/** What a link token looks like; anything else is refused before any lookup. */
export const LINK_TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface LinkToken {
  /** Goes in the mail, nowhere else. */
  token: string;
  /** Stored: the record's id. */
  id: string;
}

export const linkDigest = (token: string): string => createHash('sha256').update(`portcullis-link\n${token}`).digest('base64url');

export function newLinkToken(): LinkToken {
  const token = randomBytes(32).toString('base64url');
  return { token, id: linkDigest(token) };
}

/** The stored id for a token from a URL, or undefined when it cannot be one of ours. */
export function linkIdOf(token: string): string | undefined {
  return LINK_TOKEN_SHAPE.test(token) ? linkDigest(token) : undefined;
}
