/**
 * The 401 `mfa_required` answer a JSON caller gets after a correct password: where to send the
 * second factor, in words that name the factors this person really has. Someone with only a
 * passkey must not be told to send a TOTP code, and a passkey is offered wherever one would be
 * accepted (the same routes the pages use, /mfa/passkey and /mfa/passkey/enrol).
 */
import type { MfaDecision } from '../../mfa/policy.ts';
import type { InteractionDeps } from '../types.ts';

const CODE = 'POST {"code"} to mfa.url (a 6-digit TOTP code or a backup code)';
const PASSKEY = 'POST mfa.passkey_url + "/options" for the WebAuthn options, then POST {"response"} (the browser’s answer) to mfa.passkey_url';

export async function mfaRequired(
  deps: InteractionDeps,
  accountId: string,
  next: string,
  decision: Pick<MfaDecision, 'enrolled' | 'reasons'> & { passkeyRequired?: true },
) {
  const totp = await deps.mfa.isEnrolled(accountId);
  const passkey = deps.passkeys ? await deps.passkeys.has(accountId) : false;
  const passkeyUrl = decision.enrolled ? `${next}/passkey` : `${next}/passkey/enrol`;
  let description: string;
  if (decision.enrolled) {
    // A request for acr `phr` is met by a passkey only (mfa/policy.ts passkeyRequired).
    const ways = [...(totp && !decision.passkeyRequired ? [CODE] : []), ...(passkey ? [PASSKEY] : [])];
    description = `a second factor is required: ${ways.join('; or ')}`;
  } else {
    description = `a second factor is required and must be set up first: GET mfa.url for the secret, then POST {"code"} to mfa.enrol_url${
      deps.passkeys ? `; or set up a passkey: ${PASSKEY}` : ''
    }`;
  }
  return {
    error: 'mfa_required',
    error_description: description,
    mfa: {
      url: next,
      enrol_url: `${next}/enrol`,
      enrolment_required: !decision.enrolled,
      reasons: decision.reasons,
      ...(deps.passkeys && (passkey || !decision.enrolled) ? { passkey_url: passkeyUrl } : {}),
    },
  };
}
