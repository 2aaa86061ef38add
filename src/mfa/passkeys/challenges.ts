/**
 * Ceremony challenges: 32 random bytes, single-use, alive 5 minutes (the ceremony timeout the
 * browser is given, so a person who takes their time is not cut off halfway), and bound to the
 * surface (sign-in interaction or issuer session) and purpose they were issued for.
 *
 * Taking a challenge is one conditional write (`ModelStore.consume`, which exactly one caller
 * wins) before the record is read: of two answers carrying the same challenge, one is verified
 * and the other is `challenge_unknown`. Stored under a digest, so the store never holds a
 * challenge that could still be answered.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ModelStore } from '../../storage/port.ts';
import type { CeremonySurface } from './types.ts';

export const CHALLENGE_TTL_SECONDS = 300;

export type ChallengePurpose = 'register' | 'authenticate';

export interface ChallengeRecord {
  purpose: ChallengePurpose;
  binding: string;
  /** Whose ceremony: set for registration and for a second factor; absent for password-less sign-in. */
  accountId?: string | undefined;
  expiresAt: number;
}

export interface Challenges {
  issue(purpose: ChallengePurpose, surface: CeremonySurface, accountId?: string): Promise<string>;
  /** The record, for the one caller that consumed it while alive; undefined for every other. */
  take(challenge: string): Promise<ChallengeRecord | undefined>;
}

const keyOf = (challenge: string) => createHash('sha256').update(challenge).digest('base64url');
export const bindingOf = (surface: CeremonySurface) => createHash('sha256').update(`${surface.kind}\u0000${surface.id}`).digest('base64url');

export function createChallenges(model: ModelStore, now: () => number = Date.now): Challenges {
  return {
    async issue(purpose, surface, accountId) {
      const challenge = randomBytes(32).toString('base64url');
      const record: ChallengeRecord = {
        purpose,
        binding: bindingOf(surface),
        expiresAt: now() + CHALLENGE_TTL_SECONDS * 1000,
        ...(accountId ? { accountId } : {}),
      };
      await model.upsert(keyOf(challenge), { ...record }, CHALLENGE_TTL_SECONDS);
      return challenge;
    },
    async take(challenge) {
      if (!/^[A-Za-z0-9_-]{16,128}$/.test(challenge)) return undefined;
      const key = keyOf(challenge);
      if (!(await model.consume(key))) return undefined;
      const payload = (await model.find(key)) as Partial<ChallengeRecord> | undefined;
      await model.destroy(key);
      if (!payload || typeof payload.expiresAt !== 'number' || payload.expiresAt <= now()) return undefined;
      if (payload.purpose !== 'register' && payload.purpose !== 'authenticate') return undefined;
      return {
        purpose: payload.purpose,
        binding: String(payload.binding),
        expiresAt: payload.expiresAt,
        ...(typeof payload.accountId === 'string' ? { accountId: payload.accountId } : {}),
      };
    },
  };
}
