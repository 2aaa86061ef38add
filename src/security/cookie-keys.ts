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

export function createCookieKeys(secrets: readonly string[]): CookieKeys {
  if (secrets.length === 0) throw new Error('cookie keys: at least one key is required');
  const keys: KeyObject[] = secrets.map((secret) => createSecretKey(Buffer.from(secret, 'utf8')));
  const signWith = (key: KeyObject, data: string) => createHmac('sha256', key).update(data).digest('base64url');
  const index = (data: string, digest: string) => {
    if (typeof digest !== 'string') return -1;
    const presented = Buffer.from(digest, 'utf8');
    if (presented.length !== DIGEST_LENGTH) return -1;
    for (const [position, key] of keys.entries()) {
      if (timingSafeEqual(presented, Buffer.from(signWith(key, String(data)), 'utf8'))) return position;
    }
    return -1;
  };
  return {
    sign: (data) => signWith(keys[0] as KeyObject, String(data)),
    verify: (data, digest) => index(data, digest) > -1,
    index,
  };
}
