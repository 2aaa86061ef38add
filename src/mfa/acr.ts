/**
 * What an ID token says about how the person signed in. `amr` uses RFC 8176 values; `acr` uses the
 * OpenID PAPE multi-factor URI, which relying parties widely recognise, and our own URN for a
 * password alone (no registered value means exactly that).
 */
export const ACR_MFA = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';
export const ACR_PASSWORD = 'urn:portcullis:acr:password';

/** Advertised in discovery as acr_values_supported. */
export const ACR_VALUES = [ACR_PASSWORD, ACR_MFA];

export const AMR_PASSWORD = ['pwd'];
/** Password and a one-time code (TOTP, or a backup code, which is a one-time password too). */
export const AMR_PASSWORD_AND_OTP = ['pwd', 'otp', 'mfa'];

/** Whether a session's amr already includes a second factor. */
export function hasSecondFactor(amr: readonly string[] | undefined): boolean {
  return amr?.includes('otp') === true;
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
