/**
 * The baseline's oidc-provider configuration: the same protocol features, lifetimes, scopes,
 * claims, signing algorithm (ES256 first) and token formats as src/oidc/configuration.ts, and
 * nothing of ours — no stored clients, no hooks beyond a trivial findAccount.
 */
import type { Configuration } from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { Config } from '../../src/config/index.ts';
import { CLIENTS, RESOURCES } from '../fixtures.ts';

export interface BaselineDeps {
  ttl: Config['ttl'];
  jwks: Array<Record<string, unknown>>;
  cookieKeys: string[];
  adapter: NonNullable<Configuration['adapter']>;
}

const CLAIMS = {
  openid: ['sub'],
  profile: ['name', 'preferred_username', 'updated_at'],
  email: ['email', 'email_verified'],
  roles: ['roles'],
};

export function baselineConfiguration(deps: BaselineDeps): Configuration {
  const { ttl } = deps;
  return {
    adapter: deps.adapter,
    clients: CLIENTS as Configuration['clients'],
    async findAccount(_ctx, sub) {
      return {
        accountId: sub,
        async claims() {
          return { sub, preferred_username: sub, name: 'Alice Example', email: 'alice@example.com', email_verified: false, roles: ['user'], updated_at: 0 };
        },
      };
    },
    jwks: { keys: deps.jwks as NonNullable<Configuration['jwks']>['keys'] },
    cookies: {
      keys: deps.cookieKeys,
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    },
    scopes: ['openid', 'offline_access', 'profile', 'email', 'roles'],
    claims: { ...CLAIMS, openid: ['sub', 'amr'], acr: null, auth_time: null, sid: null },
    pkce: { required: () => true },
    responseTypes: ['code'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      deviceFlow: { enabled: true },
      backchannelLogout: { enabled: true },
      pushedAuthorizationRequests: { enabled: true },
      dPoP: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf,
        useGrantedResource: async () => false,
        async getResourceServerInfo(_ctx, indicator) {
          const resource = RESOURCES.find((candidate) => candidate.identifier === indicator);
          if (!resource) throw new errors.InvalidTarget();
          return {
            scope: resource.scopes.join(' '),
            audience: resource.identifier,
            accessTokenTTL: resource.accessTokenTTL ?? ttl.accessToken,
            accessTokenFormat: resource.accessTokenFormat,
            ...(resource.accessTokenFormat === 'jwt' ? { jwt: { sign: { alg: resource.signingAlg } } } : {}),
          };
        },
      },
    },
    rotateRefreshToken: () => true,
    ttl: {
      AccessToken: (_ctx, token) => (token as { resourceServer?: { accessTokenTTL?: number } }).resourceServer?.accessTokenTTL ?? ttl.accessToken,
      ClientCredentials: (_ctx, token) => (token as { resourceServer?: { accessTokenTTL?: number } }).resourceServer?.accessTokenTTL ?? ttl.accessToken,
      AuthorizationCode: ttl.authorizationCode,
      IdToken: ttl.idToken,
      RefreshToken: ttl.refreshToken,
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
      Interaction: ttl.interaction,
      Session: ttl.session,
      Grant: Math.max(ttl.refreshToken, ttl.session),
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    enabledJWA: {
      idTokenSigningAlgValues: ['ES256', 'RS256', 'PS256', 'EdDSA'],
      userinfoSigningAlgValues: ['ES256', 'RS256', 'PS256', 'EdDSA'],
      introspectionSigningAlgValues: ['ES256', 'RS256', 'PS256', 'EdDSA'],
      clientAuthSigningAlgValues: ['ES256', 'RS256', 'PS256', 'EdDSA'],
      dPoPSigningAlgValues: ['ES256', 'EdDSA', 'RS256', 'PS256'],
    },
  };
}
