/**
 * Wrong second-factor codes, counted in the `mfa.person` dimension — the only MFA throttle, so
 * LOCKOUT_MFA_* mean what they say and an operator's unlock clears it. Defaults: 5 free wrong
 * codes, then 30 s doubling to 1 h. With ±1 step three codes in 10^6 are valid at any moment, so
 * each guess wins with p = 3·10^-6; at the 1 h ceiling that is 24 guesses a day, while a person
 * who mistypes a few times waits half a minute at most.
 *
 * One code check at a time per person (`mfa.inflight`): a burst of parallel guesses would
 * otherwise all pass the check before the first failure is counted.
 */
import type { MfaAttemptLimiter } from '../mfa/attempts.ts';
import type { Limiter } from './limiter.ts';
import { refusal } from './refusals.ts';

export function createMfaGuard(limiter: Limiter): MfaAttemptLimiter {
  return {
    async check(accountId) {
      const person = { person: accountId };
      const verdict = await limiter.check('mfa.person', person);
      if (!verdict.allowed) throw refusal(verdict, 'code');
      const slot = await limiter.fail('mfa.inflight', person);
      if (slot.failures > 1) throw refusal(slot, 'code');
    },
    async failed(accountId) {
      const person = { person: accountId };
      await limiter.fail('mfa.person', person);
      await limiter.reset('mfa.inflight', person);
    },
    async succeeded(accountId) {
      const person = { person: accountId };
      await Promise.all([limiter.reset('mfa.person', person), limiter.reset('mfa.inflight', person)]);
    },
  };
}
