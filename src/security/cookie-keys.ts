/**
 * The keys that sign cookies (COOKIE_KEYS), behind Keygrip's interface — `sign`, `verify`,
 * `index` — which koa's `cookies` and oidc-provider call. The signatures are keygrip's with
 * sha256 (HMAC-SHA-256 of `name=value`, base64url without padding; the first key signs, every
 * key verifies), so cookies signed before this module, or by keygrip, still verify.
 *
 * Why not keygrip itself: it compares with tsscmp, which draws 32 random bytes and computes two
 * more HMACs to compare two strings, so each key tried costs three HMACs and a random draw; one
 * sign-in reads about a dozen signed cookies (interaction, resume, session, their legacy
 * twins), and that showed as ~3 % of the server's CPU in the login flow. Here each key tried is
 * one HMAC and `crypto.timingSafeEqual` over the two digests. Only a digest of the one length
 * a signature has (43 characters, public) reaches the comparison; any other is refused at once.
 *
 * A signature made or verified here is remembered with its data (a bounded map, emptied when
 * full): the same browser presents the same few cookies on every request of a sign-in, and each
 * was an HMAC per key again. A remembered pair answers only for exactly that data and digest, so
 * it says nothing a fresh HMAC would not; a digest that did not verify is never remembered.
 */
import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';

export interface CookieKeys {
  sign(data: string): string;
  verify(data: string, digest: string): boolean;
  /** The index of the key that made `digest`, -1 when none did. */
  index(data: string, digest: string): number;
}

/** base64url of a SHA-256 digest without padding. */
const DIGEST_LENGTH = 43;
/** Signatures kept: a few per browser mid-sign-in; a few hundred bytes each, about 1 MB when full. */
const REMEMBERED = 4096;

export function createCookieKeys(secrets: readonly string[]): CookieKeys {
  if (secrets.length === 0) throw new Error('cookie keys: at least one key is required');
  const keys: KeyObject[] = secrets.map((secret) => createSecretKey(Buffer.from(secret, 'utf8')));
  const signWith = (key: KeyObject, data: string) => createHmac('sha256', key).update(data).digest('base64url');
  /** digest → the data it signs and the position of the key that made it. */
  const verified = new Map<string, { data: string; position: number }>();
  const remember = (digest: string, data: string, position: number) => {
    if (verified.size >= REMEMBERED) verified.clear();
    verified.set(digest, { data, position });
  };
  const index = (data: string, digest: string) => {
    if (typeof digest !== 'string') return -1;
    const text = String(data);
    const known = verified.get(digest);
    if (known !== undefined && known.data === text) return known.position;
    const presented = Buffer.from(digest, 'utf8');
    if (presented.length !== DIGEST_LENGTH) return -1;
    for (const [position, key] of keys.entries()) {
      if (timingSafeEqual(presented, Buffer.from(signWith(key, text), 'utf8'))) {
        remember(digest, text, position);
        return position;
      }
    }
    return -1;
  };
  return {
    sign(data) {
      const text = String(data);
      const digest = signWith(keys[0] as KeyObject, text);
      remember(digest, text, 0);
      return digest;
    },
    verify: (data, digest) => index(data, digest) > -1,
    index,
  };
}
