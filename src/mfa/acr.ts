/**
 * What an ID token says about how the person signed in. `amr` uses RFC 8176 values; `acr` uses the
 * OpenID PAPE multi-factor URI, which relying parties widely recognise, and our own URN for a
 * password alone (no registered value means exactly that).
 */
export const ACR_MFA = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';
export const ACR_PASSWORD = 'urn:portcullis:acr:password';
/** Phishing-resistant (OpenID EAP ACR Values 1.0): a passkey was used, bound to this issuer's origin. */
export const ACR_PHR = 'phr';

/** Advertised in discovery as acr_values_supported. */
export const ACR_VALUES = [ACR_PASSWORD, ACR_MFA, ACR_PHR];

export const AMR_PASSWORD = ['pwd'];
/** Password and a one-time code (TOTP, or a backup code, which is a one-time password too). */
export const AMR_PASSWORD_AND_OTP = ['pwd', 'otp', 'mfa'];

/**
 * Whether a session's amr already includes a second factor: a one-time code, or `mfa` (a passkey
 * after the password, or a user-verified passkey, which is something held plus something known or
 * been).
 */
export function hasSecondFactor(amr: readonly string[] | undefined): boolean {
  return amr?.includes('otp') === true || amr?.includes('mfa') === true;
}

/** Whether a session's amr includes a passkey (phishing-resistant: acr `phr`). */
export function hasPasskey(amr: readonly string[] | undefined): boolean {
  return amr?.includes('hwk') === true || amr?.includes('swk') === true;
}

/** What one passkey assertion showed (mfa/passkeys/types.ts PasskeyProof), and whether a password came first. */
export interface PasskeyFacts {
  userPresent: boolean;
  userVerified: boolean;
  backupEligible: boolean;
  attested: boolean;
  afterPassword: boolean;
}

/**
 * amr for a passkey sign-in, RFC 8176 told honestly: `hwk` only for a device-bound credential
 * whose attestation verified against a trusted root (else nothing shows the key is in hardware
 * that cannot be copied: `swk`); `user` when user presence was set; `mfa` when the device
 * verified the person or a password was verified too. Never `pin`, `fpt` or `face`: WebAuthn
 * does not say which way the device verified.
 */
export function passkeyAmr(facts: PasskeyFacts): string[] {
  const amr = facts.afterPassword ? ['pwd'] : [];
  amr.push(!facts.backupEligible && facts.attested ? 'hwk' : 'swk');
  if (facts.userPresent) amr.push('user');
  if (facts.userVerified || facts.afterPassword) amr.push('mfa');
  return amr;
}

/**
 * The acr of a sign-in with this amr: the first value the request asked for that it satisfies,
 * else the multi-factor URI when it is multi-factor, `phr` for a passkey, the password URN last.
 */
export function acrFor(amr: readonly string[], requested: readonly string[]): string {
  const satisfied = [...(hasSecondFactor(amr) ? [ACR_MFA] : []), ...(hasPasskey(amr) ? [ACR_PHR] : []), ...(amr.includes('pwd') ? [ACR_PASSWORD] : [])];
  return requested.find((value) => satisfied.includes(value)) ?? satisfied[0] ?? ACR_PASSWORD;
}

/**
 * The acr values a request asks for, from `acr_values` (voluntary) and from the `claims` parameter
 * (`id_token.acr.value` / `.values`). A malformed `claims` value is oidc-provider's to reject; here
 * it only counts as asking for nothing.
 */
export function requestedAcrValues(params: Record<string, unknown>): string[] {
  const values: string[] = [];
  if (typeof params.acr_values === 'string') values.push(...params.acr_values.split(' ').filter(Boolean));
  if (typeof params.claims === 'string') {
    try {
      const acr = (JSON.parse(params.claims) as { id_token?: { acr?: { value?: unknown; values?: unknown } } })?.id_token?.acr;
      if (typeof acr?.value === 'string') values.push(acr.value);
      if (Array.isArray(acr?.values)) values.push(...acr.values.filter((value): value is string => typeof value === 'string'));
    } catch {
      // not JSON: nothing asked for
    }
  }
  return values;
}
