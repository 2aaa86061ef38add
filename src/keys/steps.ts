/**
 * What a plan asks for. Planners (schedule.ts, operations.ts) are pure: they look at the stored
 * keys and the time and return steps; apply.ts carries them out with conditional writes.
 */

import type { SigningAlg } from '../config/algorithms.ts';
import type { KeyState } from '../storage/port.ts';

export type Step =
  /** A fresh key. `current` only when nothing can sign yet (first start, or after a revocation). */
  | { type: 'create'; alg: SigningAlg; state: 'current' | 'next'; activatesAt: Date; demote: string[] }
  /** A `next` key starts signing; the listed `current` keys become `previous`. */
  | { type: 'activate'; alg: SigningAlg; kid: string; demote: string[] }
  /** Moves the activation of a `next` key. */
  | { type: 'reschedule'; kid: string; activatesAt: Date }
  /** Repair after an interrupted rotation: extra `current` keys become `previous`. */
  | { type: 'demote'; kids: string[] }
  /** A `previous` key whose tokens have all expired leaves the JWKS. */
  | { type: 'retire'; kid: string }
  /** Compromise: out of the JWKS and distrusted at once. */
  | { type: 'revoke'; kid: string; alg: string; from: KeyState };
