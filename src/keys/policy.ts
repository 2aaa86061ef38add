/**
 * The numbers that drive the key schedule, derived once from configuration.
 *
 *  - publish lead = JWKS_MAX_AGE + KEY_SYNC_INTERVAL. A new key is in every instance's JWKS at
 *    most one sync interval after it was stored, and a relying party that fetched the JWKS just
 *    before that keeps its copy for at most JWKS_MAX_AGE; after both, everyone has it.
 *  - retention = KEY_SYNC_INTERVAL + longest signed-token lifetime + CLOCK_SKEW. An instance that
 *    has not heard of a rotation yet may sign with the old key for one more sync interval, and
 *    the last token it signs lives for the longest lifetime; skew covers clocks that run behind.
 */

import type { SigningAlg } from '../config/algorithms.ts';
import type { Config } from '../config/index.ts';

/** 5 minutes: the tolerance most JWT libraries allow for clock differences. */
export const CLOCK_SKEW_SECONDS = 300;

export interface KeyPolicy {
  readonly algorithms: readonly SigningAlg[];
  /** Milliseconds between two activations of a new signing key. */
  readonly rotationInterval: number;
  /** Milliseconds a `next` key is published before it may sign. */
  readonly publishLead: number;
  /** Milliseconds a `previous` key stays published after it stopped signing. */
  retention(): number;
}

/** Lifetimes (seconds) of everything we sign with these keys. */
export interface SignedTokenLifetimes {
  idToken: number;
  accessToken: number;
  /** Per-resource access-token lifetimes (resource servers may declare their own). */
  resourceAccessTokens: readonly number[];
}

/**
 * ID tokens, logout tokens (oidc-provider gives them the ID-token lifetime), JWT access tokens
 * and signed userinfo responses (which expire with their access token).
 */
export function longestSignedTokenLifetime(lifetimes: SignedTokenLifetimes): number {
  return Math.max(lifetimes.idToken, lifetimes.accessToken, ...lifetimes.resourceAccessTokens);
}

export function keyPolicy(config: Config, longestLifetime: () => number): KeyPolicy {
  const { rotationInterval, jwksMaxAge, syncInterval, algorithms } = config.keys;
  return {
    algorithms,
    rotationInterval: rotationInterval * 1000,
    publishLead: (jwksMaxAge + syncInterval) * 1000,
    retention: () => (syncInterval + longestLifetime() + CLOCK_SKEW_SECONDS) * 1000,
  };
}
