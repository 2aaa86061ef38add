/**
 * TOTP (RFC 6238) as authenticator apps implement it: HMAC-SHA-1, 6 digits, 30-second steps.
 * A code is accepted for the current step and one step either side (±30 s of clock drift between
 * phone and server, RFC 6238 § 5.2), never further. The clock is injected so tests can freeze it.
 *
 * This module only answers "which time step does this code belong to"; refusing a step that was
 * already used is the caller's job, done with one conditional write (see service.ts).
 */
import { createRequire } from 'node:module';

/**
 * otplib (with @noble/hashes and @scure/base) is loaded by the first TOTP operation, not at
 * start-up: a server whose people never set up an authenticator app does not hold it. A
 * synchronous require of its CommonJS build rather than platform/lazy.ts, because newSecret and
 * uri are synchronous and the rest of this interface follows them.
 */
const require = createRequire(import.meta.url);
let otplib: typeof import('otplib') | undefined;
const lib = () => {
  otplib ??= require('otplib') as typeof import('otplib');
  return otplib;
};

export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
/** One step each way. otplib takes the tolerance in seconds: ±30 s around now spans exactly steps n−1 … n+1. */
const DRIFT_SECONDS = TOTP_PERIOD_SECONDS;
/** 20 random bytes = 160 bits, the secret length RFC 4226 § 4 (R6) recommends. */
const SECRET_BYTES = 20;

export type Clock = () => number;

export interface Totp {
  /** A new base32 secret. */
  newSecret(): string;
  /** The otpauth:// URI authenticator apps scan. */
  uri(issuer: string, label: string, secret: string): string;
  /** The time step `code` belongs to, if it is a current code (±1 step); undefined otherwise. */
  match(secret: string, code: string): Promise<number | undefined>;
  /** The code for the current step (tests and tools). */
  current(secret: string): Promise<string>;
}

const CODE = /^\d{6}$/;

export function createTotp(now: Clock = Date.now): Totp {
  const epoch = () => Math.floor(now() / 1000);
  return {
    newSecret: () => lib().generateSecret({ length: SECRET_BYTES }),
    uri: (issuer, label, secret) => lib().generateURI({ issuer, label, secret, algorithm: 'sha1', digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS }),
    async match(secret, code) {
      // otplib throws on a code of the wrong shape; a wrong shape is simply not a match.
      if (!CODE.test(code)) return undefined;
      const result = await lib().verify({
        secret,
        token: code,
        algorithm: 'sha1',
        digits: TOTP_DIGITS,
        period: TOTP_PERIOD_SECONDS,
        epoch: epoch(),
        epochTolerance: DRIFT_SECONDS,
      });
      // The functional API's result type also covers HOTP, which has no timeStep.
      return result.valid && 'timeStep' in result ? result.timeStep : undefined;
    },
    current: (secret) => lib().generate({ secret, algorithm: 'sha1', digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS, epoch: epoch() }),
  };
}
