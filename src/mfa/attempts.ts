/**
 * What the MFA service needs from brute-force defence. The one implementation is the lockout
 * module's `mfa.person` dimension (lockout/mfa-guard.ts); the policy and its numbers live there.
 */
export interface MfaAttemptLimiter {
  /**
   * Throws (429 with Retry-After) while this person may not try a code. Otherwise the attempt
   * holds the person's slot until `failed` or `succeeded` settles it, so a burst of parallel
   * guesses cannot all pass before the first failure lands.
   */
  check(accountId: string): Promise<void>;
  failed(accountId: string): Promise<void>;
  succeeded(accountId: string): Promise<void>;
}
