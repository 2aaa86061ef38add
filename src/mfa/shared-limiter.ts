/**
 * Wrong second-factor codes counted in the shared brute-force module (`mfa.person`, Redis when
 * configured), so every instance sees the same back-off; the in-process limiter stays in front
 * for what a shared counter cannot do cheaply: holding back a burst of parallel guesses until
 * the first one is settled.
 */
import type { Limiter } from '../lockout/limiter.ts';
import { type MfaAttemptLimiter, tooManyAttempts } from './limiter.ts';

export function createSharedMfaLimiter(shared: Limiter, local: MfaAttemptLimiter): MfaAttemptLimiter {
  return {
    async check(accountId) {
      const verdict = await shared.check('mfa.person', { person: accountId });
      if (!verdict.allowed) throw tooManyAttempts(verdict.retryAfter);
      await local.check(accountId);
    },
    async failed(accountId) {
      await shared.fail('mfa.person', { person: accountId });
      await local.failed(accountId);
    },
    async succeeded(accountId) {
      await shared.reset('mfa.person', { person: accountId });
      await local.succeeded(accountId);
    },
  };
}
