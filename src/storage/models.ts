/**
 * Every oidc-provider model that can reach the adapter. Both backends create their stores from
 * this one list up front, so `Store.model(name)` stays synchronous and a model added here is
 * picked up by the embedded files, the MongoDB collections and the index list alike.
 */
export const MODEL_NAMES = [
  'Session',
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'ClientCredentials',
  'Client',
  'InitialAccessToken',
  'RegistrationAccessToken',
  'Interaction',
  'ReplayDetection',
  'PushedAuthorizationRequest',
  'Grant',
  'BackchannelAuthenticationRequest',
  // Not oidc-provider's: reset links (by person) and pending sign-ups (src/passwords), the same one-winner consume.
  'PasswordReset',
  'PendingSignup',
  // Email-change links (by person; src/passwords/email-change.ts).
  'EmailChange',
  // Passkeys (by person; keyed by credential id) and their single-use ceremony challenges (src/mfa/passkeys).
  'Passkey',
  'PasskeyChallenge',
] as const;

export type ModelName = (typeof MODEL_NAMES)[number];
