/**
 * The password lifecycle's seams: what a policy check answers, what the breach lookup answers,
 * and how a reset link is sent. Implementations live beside this file; callers depend on these.
 */
import type { AccountRecord } from '../storage/port.ts';

/** One failed rule, with a stable code and the number the person must meet where there is one. */
export type PolicyViolation =
  | { code: 'too_short'; min: number }
  | { code: 'too_long'; max: number }
  | { code: 'too_weak'; score: number; min: number }
  | { code: 'missing_upper' }
  | { code: 'missing_lower' }
  | { code: 'missing_digit' }
  | { code: 'missing_symbol' }
  | { code: 'like_username' }
  | { code: 'like_email' }
  | { code: 'reused'; history: number }
  | { code: 'breached' }
  | { code: 'breach_check_unavailable' };

export type PolicyViolationCode = PolicyViolation['code'];

/** Who the password is for: their names feed the strength estimate; their history refuses reuse. */
export interface PasswordOwner {
  username: string;
  email?: string | undefined;
  name?: string | undefined;
  /** The current hash and earlier ones (newest first), when the person exists already. */
  passwordHash?: string | undefined;
  passwordHistory?: string[] | undefined;
}

export interface PasswordPolicy {
  /** Every rule the candidate fails (empty: acceptable). Never throws for bad input. */
  check(candidate: string, owner: PasswordOwner): Promise<PolicyViolation[]>;
  /** Throws PasswordPolicyError (400 `password_policy` with the violations) unless acceptable. */
  assert(candidate: string, owner: PasswordOwner): Promise<void>;
  /** What pages and JSON tell a person before they type: the numbers of the rules. */
  readonly rules: { minLength: number; maxLength: number; require: string[]; minStrength: number; history: number };
}

/** A range lookup's verdict; `unavailable` when the API did not answer in time. */
export type BreachVerdict = 'breached' | 'clean' | 'unavailable';

export interface BreachCheck {
  readonly enabled: boolean;
  lookup(password: string): Promise<BreachVerdict>;
}

/** Why a reset link goes out: asked for, a breached password found at sign-in, or an invitation. */
export type ResetReason = 'requested' | 'compromised' | 'invite';

/** Sends a single-use reset link to the person's verified address (voiding older links); never throws for mail trouble. */
export type SendResetLink = (account: AccountRecord, reason: ResetReason) => Promise<void>;
