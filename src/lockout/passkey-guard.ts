/**
 * Failed password-less passkey sign-ins, counted per client address in the `login.ip` budget that
 * wrong passwords spend too (LOCKOUT_IP_FAILURES per LOCKOUT_IP_WINDOW, default 100 per 15 min).
 * Never per person or per credential: the credential id in an answer is the sender's to choose,
 * so counting by it would let anyone throttle its owner. After the password step, passkey
 * failures count per person in `mfa.person` instead (mfa-guard.ts), like a wrong TOTP code.
 */
import type { AddressAttemptLimiter } from '../mfa/passkeys/service.ts';
import type { Limiter } from './limiter.ts';
import { refusal } from './refusals.ts';

export function createPasskeyAddressGuard(limiter: Limiter): AddressAttemptLimiter {
  return {
    async check(ip) {
      const verdict = await limiter.check('login.ip', { ip });
      if (!verdict.allowed) throw refusal(verdict, 'sign-in');
    },
    async failed(ip) {
      await limiter.fail('login.ip', { ip });
    },
  };
}
