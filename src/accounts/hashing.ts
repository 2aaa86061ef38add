/**
 * argon2id password hashing. Defaults m=19 MiB, t=2, p=1 are OWASP's 2023 minimum for argon2id:
 * about 20-40 ms per hash on one core of a small server, so a 2-core box still serves dozens of
 * logins a second while an offline attacker pays the same memory-hard cost per guess.
 * At most `concurrency` hashes run at once (see limit.ts for why).
 */
import argon2 from 'argon2';
import { createLimiter } from './limit.ts';

export interface HashParameters {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Verifies; `rehash` is true when the stored hash uses weaker or different parameters. */
  verify(hash: string, password: string): Promise<{ ok: boolean; rehash: boolean }>;
  /** Burns the same time as a real verification, for usernames that do not exist. */
  decoy(password: string): Promise<void>;
}

export interface HasherOptions {
  /** Hashes computed at once; more wait in line (default: unlimited). */
  concurrency?: number;
}

export async function createPasswordHasher(params: HashParameters, hasherOptions: HasherOptions = {}): Promise<PasswordHasher> {
  const options = { type: argon2.argon2id as 2, ...params };
  const limit = hasherOptions.concurrency ? createLimiter(hasherOptions.concurrency) : <T>(task: () => Promise<T>) => task();
  const decoyHash = await argon2.hash('decoy password never matches', options);

  return {
    hash: (password) => limit(() => argon2.hash(password, options)),
    async verify(hash, password) {
      let ok = false;
      try {
        ok = await limit(() => argon2.verify(hash, password));
      } catch {
        // A malformed stored hash is a failed login, not a crash.
        return { ok: false, rehash: false };
      }
      return { ok, rehash: ok && argon2.needsRehash(hash, options) };
    },
    async decoy(password) {
      await limit(() => argon2.verify(decoyHash, password)).catch(() => false);
    },
  };
}

/**
 * A PHC string `$argon2id$v=19$<params>$<salt>$<hash>`. The parameter order is not fixed: the
 * argon2 package we hash with writes `m=,p=,t=`, other tools write `m=,t=,p=`; each must appear once.
 */
export function isArgon2idHash(value: string): boolean {
  const match = /^\$argon2id\$v=\d+\$([a-z]=\d+(?:,[a-z]=\d+){2})\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/.exec(value);
  if (!match?.[1]) return false;
  return match[1].split(',').map((pair) => pair[0]).sort().join('') === 'mpt';
}
