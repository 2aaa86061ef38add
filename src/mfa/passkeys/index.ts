/**
 * Passkeys for the composition root: the service over the store's `Passkey` and
 * `PasskeyChallenge` models, or undefined when passkeys are off (config.webauthn.rpId unset: an
 * IP-address issuer without WEBAUTHN_RP_ID, since browsers refuse IP addresses as RP ids).
 */
import type { AuditBus } from '../../audit/bus.ts';
import type { Config } from '../../config/index.ts';
import type { Store } from '../../storage/port.ts';
import type { MfaAttemptLimiter } from '../attempts.ts';
import { createChallenges } from './challenges.ts';
import { createPasskeyRepository } from './credentials.ts';
import { type AddressAttemptLimiter, createPasskeyService, type PasskeyService } from './service.ts';

export type { PasskeyService } from './service.ts';

export interface PasskeyWiring {
  store: Pick<Store, 'model'>;
  audit: AuditBus;
  personLimiter: MfaAttemptLimiter;
  addressLimiter: AddressAttemptLimiter;
  warn: (message: string, detail: Record<string, unknown>) => void;
  now: () => number;
}

export function createPasskeys(config: Config['webauthn'], wiring: PasskeyWiring): PasskeyService | undefined {
  if (!config.rpId) return undefined;
  return createPasskeyService({
    rpId: config.rpId,
    rpName: config.rpName,
    origin: config.origin,
    challenges: createChallenges(wiring.store.model('PasskeyChallenge'), wiring.now),
    repo: createPasskeyRepository(wiring.store.model('Passkey')),
    audit: wiring.audit,
    personLimiter: wiring.personLimiter,
    addressLimiter: wiring.addressLimiter,
    warn: wiring.warn,
    now: wiring.now,
  });
}
