/**
 * The oidc-provider configuration: which protocol features are on, lifetimes, claims and the hooks
 * through which the provider reaches our accounts, storage, pages and policy. Built fresh for each
 * Provider instance (the key set is the only part that changes between instances).
 */
import type Keygrip from 'keygrip';
import { type Configuration, errors, interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { SCOPE_CLAIMS } from '../accounts/claims.ts';
import type { Config } from '../config/index.ts';
import type { PrivateJwk } from '../keys/keystore.ts';
import { epochSeconds } from '../platform/clock.ts';
import { isAdminScope } from '../rbac/scopes.ts';
import type { Renderer } from '../views/render.ts';
import type { AdapterConstructor } from './adapter.ts';
import type { AdminResource } from './admin-resource.ts';
import { clientExtension } from './client-metadata.ts';
import { deviceInputNotice } from './device-notice.ts';
import { internalClients } from './internal-clients.ts';
import { introspectionAllowed } from './introspection.ts';
import { enabledAlgorithms } from './key-configuration.ts';
import { postLogoutNotice } from './logout-notice.ts';
import { grantTtl, refreshTokenTtl } from './refresh/lifetimes.ts';
import { ROTATION_METADATA, rotatesRefreshTokens, validateRotationMetadata } from './refresh/rotation.ts';
import type { ResourceRegistry } from './resources.ts';
import { PROVIDER_ROUTES } from './routes.ts';
import { sessionTtlFor } from './session-lifetime.ts';

export interface ConfigurationDeps {
  config: Config;
  adapter: AdapterConstructor;
  findAccount: NonNullable<Configuration['findAccount']>;
  resources: ResourceRegistry;
  /** The admin API as a resource (admin-resource.ts): its ceilings and the auth_time claim. */
  adminResource: AdminResource;
  cookieKeys: Keygrip;
  corsAllows: (origin: string) => boolean;
  render: Renderer;
  jwks: PrivateJwk[];
  /** Prompts (login, MFA, consent); oidc-provider's base policy when absent. */
  interactionPolicy?: interactionPolicy.Prompt[] | undefined;
  /** acr values our logins produce, advertised in discovery. */
  acrValues?: string[] | undefined;
  /** Outbound HTTP (back-channel logout); tests replace it to reach a receiver on loopback. */
  fetch?: Configuration['fetch'];
}

/**
 * On an https issuer every provider cookie is Secure, whatever the request looks like (requests
 * that did not arrive over https are refused first, security/https-only.ts). Left out otherwise:
 * an explicit `secure: false` would also drop the flag on https requests.
 */
function secureCookies(issuer: string): { secure?: true } {
  return new URL(issuer).protocol === 'https:' ? { secure: true } : {};
}

const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;

export function buildConfiguration(deps: ConfigurationDeps): Configuration {
  const { config, resources, render } = deps;
  const ttl = config.ttl;

  const configuration: Configuration = {
    adapter: deps.adapter,
    findAccount: deps.findAccount,
    jwks: { keys: deps.jwks as unknown as NonNullable<Configuration['jwks']>['keys'] },
    cookies: {
      keys: deps.cookieKeys as unknown as string[],
      long: { signed: true, httpOnly: true, sameSite: 'lax', ...secureCookies(config.issuer) },
      short: { signed: true, httpOnly: true, sameSite: 'lax', ...secureCookies(config.issuer) },
    },
    // Portcullis's own clients (the account console, the CLI): from code, never from the store.
    clients: internalClients(config.issuer),
    clientAuthMethods: [...CLIENT_AUTH_METHODS],
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    },
    clientBasedCORS: (_ctx, origin) => deps.corsAllows(origin),
    extraClientMetadata: {
      // require_mfa: every sign-in for this client includes a second factor (oidc/mfa-prompt.ts).
      // admin_scopes: the admin API scopes this client may ever receive (rbac/scopes.ts); none, none.
      properties: ['first_party', 'require_mfa', 'admin_scopes', ROTATION_METADATA],
      validator(_ctx, key, value) {
        if ((key === 'first_party' || key === 'require_mfa') && value !== undefined && typeof value !== 'boolean') {
          throw new errors.InvalidClientMetadata(`${key} must be a boolean`);
        }
        if (
          key === 'admin_scopes' &&
          value !== undefined &&
          !(Array.isArray(value) && value.every((scope) => typeof scope === 'string' && isAdminScope(scope)))
        ) {
          throw new errors.InvalidClientMetadata('admin_scopes must be an array of admin API scopes');
        }
        validateRotationMetadata(key, value);
      },
    },
    acrValues: deps.acrValues ?? [],
    scopes: ['openid', 'offline_access', 'profile', 'email', 'roles'],
    claims: {
      ...Object.fromEntries(Object.entries(SCOPE_CLAIMS).map(([scope, claims]) => [scope, [...claims]])),
      // amr, acr and auth_time ride on `openid` so every ID token says how and when the person
      // authenticated (RFC 8176), not only when the client thought to ask.
      openid: ['sub', 'amr', 'acr', 'auth_time'],
      acr: null,
      auth_time: null,
      sid: null,
    },
    // The claims of the granted scopes (email, profile, roles) ride in the ID token too, not only at
    // userinfo: relying parties read who signed in from the ID token they already verified.
    conformIdTokenClaims: false,
    // PKCE with S256 on every authorization code request, public or confidential (OAuth 2.1).
    pkce: { required: () => true },
    responseTypes: ['code'],
    // One table of endpoint paths, read by everything in front of the provider too (routes.ts).
    routes: { ...PROVIDER_ROUTES },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: introspectionAllowed(resources) },
      revocation: { enabled: true },
      deviceFlow: {
        enabled: true,
        async userCodeInputSource(ctx, form, out, error) {
          const notice = deviceInputNotice(error, out);
          await render(ctx as never, 'device-input', { form, error: notice?.message }, notice?.status ?? 200);
        },
        async userCodeConfirmSource(ctx, form, client, _deviceInfo, userCode) {
          await render(ctx as never, 'device-confirm', { form, clientName: client.clientName ?? client.clientId, userCode });
        },
        async successSource(ctx) {
          await render(ctx as never, 'message', { title: 'Device connected', message: 'You can return to your device now.' });
        },
      },
      backchannelLogout: { enabled: true },
      pushedAuthorizationRequests: { enabled: true },
      dPoP: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          await render(ctx as never, 'logout', { form, host: ctx.host, clientName: ctx.oidc.client?.clientName });
        },
        async postLogoutSuccessSource(ctx) {
          await render(ctx as never, 'message', { ...(await postLogoutNotice(ctx)) });
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf,
        useGrantedResource: async () => false,
        async getResourceServerInfo(ctx, indicator, client) {
          if (indicator === deps.adminResource.identifier) return deps.adminResource.serverInfo(ctx, client);
          const resource = resources.get(indicator);
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
    // First-party clients are trusted to act for the person without a consent screen: the grant
    // is extended with whatever they ask for, so the consent prompt never triggers.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const client = ctx.oidc.client;
      if (!client) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session?.grantIdFor(client.clientId);
      if (clientExtension(client, 'first_party') !== true || !ctx.oidc.session?.accountId) {
        return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
      }
      const grant =
        (grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined) ??
        new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope(ctx.oidc.requestParamScopes ? [...ctx.oidc.requestParamScopes].join(' ') : 'openid');
      const claims = ctx.oidc.requestParamClaims;
      if (claims?.size) grant.addOIDCClaims([...claims]);
      for (const [indicator, resourceServer] of Object.entries(ctx.oidc.resourceServers ?? {})) {
        // Admin API scopes are set to today's ceiling (the person's admin_roles), never only added to.
        if (indicator === deps.adminResource.identifier && grant.resources) delete grant.resources[indicator];
        grant.addResourceScope(indicator, resourceServer.scope);
      }
      await grant.save();
      return grant;
    },
    extraTokenClaims: (ctx, token) => deps.adminResource.extraTokenClaims(ctx, token),
    rotateRefreshToken: rotatesRefreshTokens,
    ttl: {
      AccessToken: (_ctx, token) => (token as { resourceServer?: { accessTokenTTL?: number } }).resourceServer?.accessTokenTTL ?? ttl.accessToken,
      ClientCredentials: (_ctx, token) => (token as { resourceServer?: { accessTokenTTL?: number } }).resourceServer?.accessTokenTTL ?? ttl.accessToken,
      AuthorizationCode: ttl.authorizationCode,
      IdToken: ttl.idToken,
      // Idle lifetime that slides with each rotation, capped by the family's absolute end and its grant.
      RefreshToken: (ctx, token) =>
        refreshTokenTtl(
          { idle: ttl.refreshToken, absolute: ttl.refreshTokenAbsolute },
          epochSeconds(),
          token.iiat ?? epochSeconds(),
          ctx?.oidc?.entities.Grant?.exp,
        ),
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
      Interaction: ttl.interaction,
      // Idle timeout that slides with each use, capped by the absolute lifetime; ten minutes while
      // the session has no account (session-lifetime.ts).
      Session: (_ctx, session) => sessionTtlFor({ idle: ttl.sessionIdle, absolute: ttl.session }, epochSeconds(), session),
      // The grant outlives its longest refresh token; otherwise it would silently cap refresh tokens.
      Grant: grantTtl(ttl),
    },
    interactions: {
      policy: deps.interactionPolicy ?? interactionPolicy.base(),
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    async renderError(ctx, out) {
      const description = String(out.error_description ?? out.error ?? 'the request could not be completed');
      await render(
        ctx as never,
        'error',
        { title: 'Request not accepted', message: description, code: String(out.error ?? 'invalid_request') },
        Math.max(ctx.status, 400),
      );
    },
    enabledJWA: enabledAlgorithms(config.keys.algorithms),
  };
  if (deps.fetch) configuration.fetch = deps.fetch;
  return configuration;
}
