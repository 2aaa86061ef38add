/**
 * Where oidc-provider serves each endpoint. The provider is configured with exactly this table
 * (configuration.ts `routes`), and everything in front of the provider that needs to know a
 * route — the canonical-path check, the token-endpoint guard, the browser-endpoint budget —
 * reads it from here, so there is one list. The values are oidc-provider's defaults.
 */
import type { Configuration } from 'oidc-provider';

export const PROVIDER_ROUTES = {
  authorization: '/auth',
  backchannel_authentication: '/backchannel',
  challenge: '/challenge',
  code_verification: '/device',
  credential: '/credential',
  device_authorization: '/device/auth',
  end_session: '/session/end',
  introspection: '/token/introspection',
  jwks: '/jwks',
  pushed_authorization_request: '/request',
  registration: '/reg',
  revocation: '/token/revocation',
  token: '/token',
  userinfo: '/me',
} as const satisfies Required<NonNullable<Configuration['routes']>>;

export type ProviderRouteName = keyof typeof PROVIDER_ROUTES;

/**
 * Discovery documents, which oidc-provider serves at these fixed paths (RFC 8414 §3, OpenID
 * Connect Discovery §4) rather than through `routes`.
 */
export const DISCOVERY_PATHS = ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'] as const;

export type RouteName = ProviderRouteName | 'discovery';

/** Every path the provider serves a route at (sub-paths such as /auth/:uid hang below them). */
export function providerRoutes(): [RouteName, string][] {
  return [...(Object.entries(PROVIDER_ROUTES) as [ProviderRouteName, string][]), ...DISCOVERY_PATHS.map((path) => ['discovery', path] as [RouteName, string])];
}

/**
 * Front-channel endpoints where an anonymous request makes the provider store something (an
 * interaction or a session): the `browser.ip` budget covers them and every path under them.
 */
export const BROWSER_ENDPOINTS: ReadonlySet<RouteName> = new Set(['authorization', 'code_verification', 'end_session']);
