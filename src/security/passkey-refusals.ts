/**
 * Passkey refusals (mfa/passkeys/types.ts) as HTTP: the code stays the stable `error`, the status
 * says whose problem it is — 400 for an answer that is malformed or not for this ceremony, 401
 * for one that does not prove what it must, 409 for a conflict with what is stored.
 */
import { PasskeyRefusal, type RefusalCode } from '../mfa/passkeys/types.ts';
import { AppError } from './errors.ts';

const STATUS: Record<RefusalCode, number> = {
  invalid_response: 400,
  challenge_unknown: 400,
  origin_mismatch: 400,
  rp_id_mismatch: 400,
  user_presence_required: 401,
  user_verification_required: 401,
  credential_unknown: 401,
  signature_invalid: 401,
  sign_count_regressed: 401,
  credential_exists: 409,
  too_many_passkeys: 409,
  passkeys_unavailable: 404,
};

export function passkeyAppError(refusal: PasskeyRefusal): AppError {
  return new AppError(STATUS[refusal.code], refusal.code, refusal.message);
}

/** Runs a ceremony step; a refusal leaves as its AppError, anything else unchanged. */
export async function asHttp<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw error instanceof PasskeyRefusal ? passkeyAppError(error) : error;
  }
}

export const passkeysUnavailable = () => passkeyAppError(new PasskeyRefusal('passkeys_unavailable'));
