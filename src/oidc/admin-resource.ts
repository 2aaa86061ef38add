/**
 * The admin API as a resource server of Portcullis itself (`<ISSUER>/admin/v1`, rbac/scopes.ts):
 * what oidc-provider issues for it, read by configuration.ts.
 *
 *  - Tokens are RFC 9068 JWTs (`typ: at+jwt`) signed ES256 with the issuer's keys, living
 *    ADMIN_TOKEN_TTL; admin/auth.ts verifies them in process against the published keys.
 *  - The scopes on offer are a ceiling computed at every issuance (authorization, code, device
 *    code, refresh): the client's `admin_scopes`, and for a person also the permissions of their
 *    `admin_roles` now. A client without `admin_scopes` gets `invalid_target` in every grant, so a
 *    third-party consent client is never a way in. oidc-provider cuts each token to the scopes
 *    requested ∩ granted ∩ this ceiling, so a refreshed token never outgrows today's ceilings.
 *  - A person's token carries `auth_time` (from the sign-in behind the code, device code or
 *    refresh token; a refresh keeps the original one, so ADMIN_MAX_AUTH_AGE bounds a refresh
 *    chain too). A client-credentials token never does: that is how admin/auth.ts tells a client
 *    from a person.
 *  - With ADMIN_REQUIRE_MFA, a person's grant source must show a second factor (amr `otp`); the
 *    `admin` MFA reason (mfa/policy.ts) asks for it at sign-in, and this refuses any path that
 *    skipped it.
 */
import { type Client, errors, type KoaContextWithOIDC, type ResourceServer } from 'oidc-provider';
import { hasSecondFactor } from '../mfa/acr.ts';
import { ADMIN_SCOPES, type AdminScope, adminResourceOf, permissionSet } from '../rbac/scopes.ts';
import { clientExtension } from './client-metadata.ts';

export interface AdminResourceDeps {
  issuer: string;
  /** ADMIN_TOKEN_TTL in seconds. */
  tokenTtl: number;
  /** ADMIN_REQUIRE_MFA. */
  requireMfa: boolean;
  /** What the person may do now: permissions of their admin_roles; none when disabled or deleted. */
  permissionsOf(accountId: string): Promise<ReadonlySet<AdminScope>>;
}

export interface AdminResource {
  identifier: string;
  /** getResourceServerInfo for the admin indicator: throws invalid_target when the client may not. */
  serverInfo(ctx: KoaContextWithOIDC, client: Client | undefined): Promise<ResourceServer>;
  /** extraTokenClaims: `auth_time` on a person's access token for the admin API. */
  extraTokenClaims(ctx: KoaContextWithOIDC | undefined, token: unknown): Promise<Record<string, unknown> | undefined>;
}

/** The client's `admin_scopes` that are admin scopes (the metadata validator admits nothing else). */
export function clientAdminScopes(client: Client | undefined): Set<AdminScope> {
  const value = clientExtension(client, 'admin_scopes');
  return permissionSet(Array.isArray(value) ? value.filter((scope): scope is string => typeof scope === 'string') : []);
}

interface GrantSource {
  authTime?: number;
  amr?: string[];
}

/**
 * The code, device code or refresh token this token request redeems; undefined elsewhere (the
 * device code is an entity of the device pages too, before the person has signed in).
 */
function grantSource(ctx: KoaContextWithOIDC | undefined): GrantSource | undefined {
  if (ctx?.oidc?.route !== 'token') return undefined;
  const entities = ctx?.oidc?.entities as Record<string, GrantSource | undefined> | undefined;
  return entities?.AuthorizationCode ?? entities?.DeviceCode ?? entities?.RefreshToken;
}

/** The person a request is for: the account being issued to, else the signed-in session's. */
function personOf(ctx: KoaContextWithOIDC): string | undefined {
  return ctx.oidc.account?.accountId ?? ctx.oidc.session?.accountId ?? undefined;
}

export function createAdminResource(deps: AdminResourceDeps): AdminResource {
  const identifier = adminResourceOf(deps.issuer);
  return {
    identifier,
    async serverInfo(ctx, client) {
      const ceiling = clientAdminScopes(client);
      if (ceiling.size === 0) throw new errors.InvalidTarget('this client may not request the admin API (it has no admin_scopes)');
      const accountId = personOf(ctx);
      let scopes: AdminScope[] = ADMIN_SCOPES.filter((scope) => ceiling.has(scope));
      if (accountId) {
        const source = grantSource(ctx);
        if (deps.requireMfa && source && !hasSecondFactor(source.amr)) {
          throw new errors.InvalidTarget('the admin API needs a sign-in with a second factor');
        }
        const permitted = await deps.permissionsOf(accountId);
        scopes = scopes.filter((scope) => permitted.has(scope));
      }
      return {
        scope: scopes.join(' '),
        audience: identifier,
        accessTokenTTL: deps.tokenTtl,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      };
    },
    async extraTokenClaims(ctx, token) {
      const access = token as { kind?: string; accountId?: string; resourceServer?: { audience?: string } };
      if (access.kind !== 'AccessToken' || !access.accountId || access.resourceServer?.audience !== identifier) return undefined;
      const authTime = grantSource(ctx)?.authTime;
      // Without a known sign-in time the token carries none and admin/auth.ts refuses it.
      return typeof authTime === 'number' ? { auth_time: authTime } : undefined;
    },
  };
}
