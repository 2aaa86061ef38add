/**
 * argon2id password hashing. Defaults m=19 MiB, t=2, p=1 are OWASP's 2023 minimum for argon2id:
 * about 20-40 ms per hash on one core of a small server, so a 2-core box still serves dozens of
 * logins a second while an offline attacker pays the same memory-hard cost per guess.
 * At most `concurrency` hashes run at once (see limit.ts for why).
 *
 * Timing: a wrong password for an unknown username costs one verification at the configured
 * parameters (the decoy). A known account's stored hash can carry other parameters (made before
 * ARGON2_* changed, or by another tool for the bootstrap file). A cheaper one is padded with the
 * decoy, run alongside, so the answer never comes sooner than for an unknown name; a costlier one
 * cannot be padded away (every unknown name would have to pay it), so bootstrap refuses those
 * (bootstrap/hash-parameters.ts) and every hash is re-made with the configured ones at the next
 * successful sign-in.
 *
 * NFKC: every password is hashed in its NFKC form (so 'ﬁ' and 'fi', fullwidth and ASCII letters, are
 * one password, as passwords/policy.ts measures them). Hashes made before that were made from the
 * raw input: a verification tries the NFKC form, and only when it fails and the raw input differs
 * from it, the raw input once (a match asks for a re-hash). The decoy does the same: one
 * verification when the input is already NFKC, two when it is not — so the count depends on the
 * input alone, never on whether the username exists.
 */
import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { type HashObserver, observeSlots } from './hash-observer.ts';
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

/** The two argon2 calls we make; tests pass a spy to see which parameters each check paid. */
export interface Argon2Engine {
  hash(password: string, options: HashParameters & { type: 2 }): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

export interface HasherOptions {
  /** Hashes computed at once; more wait in line (default: unlimited). */
  concurrency?: number;
  engine?: Argon2Engine;
  /** Sees the queue and each computation's time (metrics); nothing is observed without one. */
  observer?: HashObserver | undefined;
}

/** The m, t, p of a PHC string, or undefined when it is not one we can read. */
export function hashParameters(hash: string): HashParameters | undefined {
  const match = /^\$argon2id\$v=\d+\$([a-z]=\d+(?:,[a-z]=\d+){2})\$/.exec(hash);
  if (!match?.[1]) return undefined;
  const fields = Object.fromEntries(match[1].split(',').map((pair) => [pair[0], Number(pair.slice(2))]));
  if (fields.m === undefined || fields.t === undefined || fields.p === undefined) return undefined;
  return { memoryCost: fields.m, timeCost: fields.t, parallelism: fields.p };
}

export type HashCost = 'conforming' | 'cheaper' | 'costlier';

/** How a stored hash's cost compares with the configured one (memory and passes; lanes do not add work). */
export function compareCost(stored: HashParameters, configured: HashParameters): HashCost {
  if (stored.memoryCost === configured.memoryCost && stored.timeCost === configured.timeCost && stored.parallelism === configured.parallelism) {
    return 'conforming';
  }
  return stored.memoryCost <= configured.memoryCost && stored.timeCost <= configured.timeCost ? 'cheaper' : 'costlier';
}

const defaultEngine: Argon2Engine = { hash: (password, options) => argon2.hash(password, options), verify: (hash, password) => argon2.verify(hash, password) };

/**
 * The decoy: a PHC string with the configured parameters and random salt and digest, the sizes
 * the argon2 package writes (16 and 32 bytes). Verifying any password against it computes one
 * full argon2id at those parameters — the same work as against a real hash — and matches with
 * odds 2^-256. Made without hashing: an argon2id computation at start-up cost ~30 ms and left a
 * 19 MiB block in the allocator of the thread that ran it.
 */
export function decoyPhc(params: HashParameters): string {
  const b64 = (bytes: number) => randomBytes(bytes).toString('base64').replace(/=+$/, '');
  return `$argon2id$v=19$m=${params.memoryCost},t=${params.timeCost},p=${params.parallelism}$${b64(16)}$${b64(32)}`;
}

export async function createPasswordHasher(params: HashParameters, hasherOptions: HasherOptions = {}): Promise<PasswordHasher> {
  const engine = hasherOptions.engine ?? defaultEngine;
  const options = { type: argon2.argon2id as 2, ...params };
  const limit = observeSlots(
    hasherOptions.concurrency ? createLimiter(hasherOptions.concurrency) : <T>(task: () => Promise<T>) => task(),
    hasherOptions.observer,
  );
  const decoyHash = decoyPhc(params);
  const decoy = (password: string) => limit(() => engine.verify(decoyHash, password)).catch(() => false);

  return {
    hash: (password) => limit(() => engine.hash(password.normalize('NFKC'), options)),
    async verify(hash, password) {
      const stored = hashParameters(hash);
      // A cheaper hash (or one we cannot read) would answer sooner than an unknown username.
      const pad = !stored || compareCost(stored, params) === 'cheaper';
      const attempt = async (candidate: string) => {
        const [ok] = await Promise.all([limit(() => engine.verify(hash, candidate)), pad ? decoy(candidate) : undefined]);
        return ok;
      };
      const normalised = password.normalize('NFKC');
      try {
        if (await attempt(normalised)) return { ok: true, rehash: argon2.needsRehash(hash, options) };
        // A hash made from the raw input, before passwords were normalised: re-made in NFKC form.
        if (password !== normalised && (await attempt(password))) return { ok: true, rehash: true };
      } catch {
        // A malformed stored hash is a failed login, not a crash.
        return { ok: false, rehash: false };
      }
      return { ok: false, rehash: false };
    },
    async decoy(password) {
      const normalised = password.normalize('NFKC');
      await decoy(normalised);
      if (password !== normalised) await decoy(password);
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
  return (
    match[1]
      .split(',')
      .map((pair) => pair[0])
      .sort()
      .join('') === 'mpt'
  );
}
