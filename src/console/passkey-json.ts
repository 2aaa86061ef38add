/**
 * A passkey as its owner sees it in JSON (/account/data, /account/mfa): copied field by field, so
 * the public key, the sign counter and the authenticator model (AAGUID) never leave the store.
 */
import type { PasskeyRecord } from '../mfa/passkeys/types.ts';

/** A passkey as the person may see it: its name and dates, and whether it may sync between devices. */
export function passkeyJson(passkey: PasskeyRecord) {
  return {
    name: passkey.name,
    created_at: new Date(passkey.createdAt).toISOString(),
    last_used_at: passkey.lastUsedAt === undefined ? null : new Date(passkey.lastUsedAt).toISOString(),
    backup_eligible: passkey.backupEligible,
    backed_up: passkey.backupState,
  };
}
