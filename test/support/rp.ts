/** A relying party built on openid-client, pointed at a test server. */
import * as oidc from 'openid-client';

export const CALLBACK = 'http://127.0.0.1:9999/callback';

export async function discover(issuer: string, clientId: string, secret?: string, auth?: oidc.ClientAuth): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(issuer), clientId, secret, auth ?? (secret ? oidc.ClientSecretBasic(secret) : oidc.None()), {
    execute: [oidc.allowInsecureRequests],
  });
}

export interface AuthorizationStart {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

export async function startAuthorization(config: oidc.Configuration, params: Record<string, string> = {}): Promise<AuthorizationStart> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: 'openid profile email offline_access',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    prompt: 'consent',
    ...params,
  });
  return { url, verifier, state, nonce };
}

export async function redeem(
  config: oidc.Configuration,
  callback: URL,
  start: AuthorizationStart,
  options: Parameters<typeof oidc.authorizationCodeGrant>[4] = undefined,
) {
  return oidc.authorizationCodeGrant(
    config,
    callback,
    {
      pkceCodeVerifier: start.verifier,
      expectedState: start.state,
      expectedNonce: start.nonce,
    },
    undefined,
    options,
  );
}
