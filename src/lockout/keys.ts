/**
 * Counter keys. A subject is named by its parts (username, IP, client, person); each part is
 * normalised, then hashed, so any string a caller sends — 254-character usernames, colons,
 * glob characters — becomes a fixed 22-character token (SHA-256, 128 bits, base64url). Redis
 * patterns over those tokens (`SCAN MATCH`) can therefore never be fooled by a crafted username.
 */
import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { normaliseUsername } from '../accounts/service.ts';

export type Part = 'username' | 'ip' | 'client' | 'person';
export type Subject = Partial<Record<Part, string>>;

/**
 * IPv6 addresses count per /64: one home or cloud instance routinely holds a whole /64, so
 * keying single addresses would hand an attacker 2^64 fresh budgets.
 */
export function addressBucket(ip: string): string {
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = ip.includes('::') ? 8 - left.length - right.length : 0;
  const groups = [...left, ...Array.from({ length: missing }, () => '0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}

function normalise(part: Part, value: string): string {
  if (part === 'username') return normaliseUsername(value);
  if (part === 'ip') return addressBucket(value);
  return value;
}

function digest(part: Part, value: string): string {
  return createHash('sha256')
    .update(`${part}\u0000${normalise(part, value)}`)
    .digest('base64url')
    .slice(0, 22);
}

/**
 * Tokens already computed, by part and raw value: every token request names the same few clients
 * and addresses, and hashing each part of each key (up to five keys a request) showed in
 * profiles. Safe because the token is a pure function of its input (the cache can only return
 * what hashing would) and the hash is no secret — it keeps keys short and free of glob
 * characters, which a cached token still is. Bounded: emptied when it reaches CACHE_SIZE, so
 * a stream of made-up usernames costs at most that many entries (each under 1 KB).
 */
const CACHE_SIZE = 10_000;
const cache = new Map<string, string>();

export function token(part: Part, value: string): string {
  const input = `${part}\u0000${value}`;
  let found = cache.get(input);
  if (found === undefined) {
    found = digest(part, value);
    if (cache.size >= CACHE_SIZE) cache.clear();
    cache.set(input, found);
  }
  return found;
}

/** The key for a subject that names every part; a missing part is a programming error. */
export function keyFor(parts: readonly Part[], subject: Subject): string {
  return parts
    .map((part) => {
      const value = subject[part];
      if (value === undefined) throw new Error(`lockout: this counter is keyed by ${parts.join(' + ')}; "${part}" is missing`);
      return token(part, value);
    })
    .join(':');
}

/**
 * A glob over keys for a subject that names only some parts (`*` for the rest), or undefined
 * when it names none of them. Tokens use [A-Za-z0-9_-] only, so they need no escaping.
 */
export function patternFor(parts: readonly Part[], subject: Subject): string | undefined {
  if (!parts.some((part) => subject[part] !== undefined)) return undefined;
  return parts.map((part) => (subject[part] === undefined ? '*' : token(part, subject[part]))).join(':');
}

/** A RegExp for a glob made by `patternFor` (`*` stands for one token). */
export function globToRegExp(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((piece) => piece.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^:]*')}$`,
  );
}
