/**
 * What Portcullis keeps about a passkey (a WebAuthn credential), and the closed list of reasons a
 * ceremony is refused. Refusals carry no HTTP status: the edge maps them (interactions/passkey/,
 * console/passkeys.ts), and every one is audited as `passkey.refused` with its code.
 */

export interface PasskeyRecord {
  /** The credential id (base64url), also the record's key in the store. */
  id: string;
  accountId: string;
  /** COSE public key, base64url. */
  publicKey: string;
  signCount: number;
  /** The authenticator model (AAGUID); all zeros when the authenticator does not say. */
  aaguid: string;
  transports: string[];
  /** The credential may be synced between devices (a "multi-device" passkey). */
  backupEligible: boolean;
  backupState: boolean;
  /**
   * The attestation verified against a trusted root. Registration asks for attestation `none`,
   * so today this is always false (and amr says `swk`); the field keeps `hwk` honest once
   * attestation roots are configured.
   */
  attested: boolean;
  name: string;
  createdAt: number;
  lastUsedAt?: number | undefined;
}

export const REFUSAL_CODES = [
  'invalid_response',
  'challenge_unknown',
  'origin_mismatch',
  'rp_id_mismatch',
  'user_presence_required',
  'user_verification_required',
  'credential_unknown',
  'credential_exists',
  'signature_invalid',
  'sign_count_regressed',
  'too_many_passkeys',
  'passkeys_unavailable',
] as const;

export type RefusalCode = (typeof REFUSAL_CODES)[number];

const MESSAGES: Record<RefusalCode, string> = {
  invalid_response: 'The browser’s passkey answer could not be read. Try again.',
  challenge_unknown: 'This passkey request has expired or was already used. Try again.',
  origin_mismatch: 'This passkey answer was made for another site.',
  rp_id_mismatch: 'This passkey belongs to another site.',
  user_presence_required: 'The passkey did not confirm that you were there. Try again.',
  user_verification_required: 'Signing in with a passkey alone needs your device’s screen lock, PIN or fingerprint.',
  credential_unknown: 'That passkey is not registered here, or not for this account.',
  credential_exists: 'That passkey is already registered.',
  signature_invalid: 'That passkey answer could not be verified.',
  sign_count_regressed: 'That passkey looks copied (its counter went backwards), so it was refused. Tell your administrator.',
  too_many_passkeys: 'You have as many passkeys as an account may hold. Remove one first.',
  passkeys_unavailable: 'Passkeys are not available on this server.',
};

export class PasskeyRefusal extends Error {
  override name = 'PasskeyRefusal';
  readonly code: RefusalCode;
  constructor(code: RefusalCode) {
    super(MESSAGES[code]);
    this.code = code;
  }
}

/** What a verified assertion proves, for amr/acr (mfa/acr.ts passkeyAmr). */
export interface PasskeyProof {
  accountId: string;
  credentialId: string;
  userPresent: boolean;
  userVerified: boolean;
  backupEligible: boolean;
  attested: boolean;
}

/** Where a ceremony runs: a sign-in interaction (its uid) or the account pages (the session's uid). */
export interface CeremonySurface {
  kind: 'interaction' | 'session';
  id: string;
}
