/**
 * The one auth check of the admin API, run on each route (router.ts) with the scope it needs.
 *
 * Callers present `Authorization: Bearer <token>`, either
 *  - an access token Portcullis issued for `<ISSUER>/admin/v1`: a JWT with `typ: at+jwt`, verified
 *    here against the keys the issuer publishes right now (a revoked or retired key verifies
 *    nothing), issuer, audience and expiry checked; or
 *  - the break-glass OPERATOR_TOKEN, compared as SHA-256 digests in constant time, with every scope.
 *
 * A token proves what the caller could do when it was issued; each request re-checks what it may
 * do now: the person is enabled and not deleted, signed in recently enough (ADMIN_MAX_AUTH_AGE),
 * and still holds the scope through their admin_roles; the client still exists and still lists the
 * scope in its admin_scopes. Refusals follow RFC 6750 and are audited.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, type JSONWebKeySet, type JWK, type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import type { Context, Next } from 'koa';
import type { AuditBus } from '../audit/bus.ts';
import { type Clock, epochSeconds } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import { actAs } from '../platform/request-context.ts';
import type { RoleRegistry } from '../rbac/roles.ts';
import { ADMIN_SCOPES, type AdminScope, permissionSet } from '../rbac/scopes.ts';
import { addressList, isListed } from '../security/client-ip.ts';
import { AppError } from '../security/errors.ts';
import type { AccountRecord } from '../storage/port.ts';
import type { Actor } from './actor.ts';

const REALM = 'portcullis-admin';

export interface AdminAuthDeps {
  issuer: string;
  /** `<ISSUER>/admin/v1`, the audience admin tokens carry. */
  resource: string;
  operatorToken?: string | undefined;
  /** The public keys the issuer publishes now (never a revoked or retired one). */
  verificationKeys(): JWK[];
  findAccount(id: string): Promise<AccountRecord | undefined>;
  /** A registered, not deleted client's metadata. */
  findClient(id: string): Promise<Record<string, unknown> | undefined>;
  roles: Pick<RoleRegistry, 'permissionsOf'>;
  /** ADMIN_MAX_AUTH_AGE in seconds. */
  maxAuthAge: number;
  /** ADMIN_ALLOWED_ADDRESSES; empty allows any address. */
  allowedAddresses: readonly string[];
  audit: AuditBus;
  logger: Logger;
  now?: Clock;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** RFC 6750 § 3: the challenge, with an error only when a token was presented. */
function challenge(fields: Record<string, string> = {}): string {
  const quoted = Object.entries(fields).map(([key, value]) => `${key}="${value.replace(/["\\]/g, '')}"`);
  return [`Bearer realm="${REALM}"`, ...quoted].join(', ');
}

export class AdminAuthError extends AppError {}

const missingToken = () =>
  new AdminAuthError(401, 'missing_token', 'an access token for the admin API is required (Authorization: Bearer …)', {
    headers: { 'WWW-Authenticate': challenge() },
  });

export const invalidToken = (description: string) =>
  new AdminAuthError(401, 'invalid_token', description, {
    headers: { 'WWW-Authenticate': challenge({ error: 'invalid_token', error_description: description }) },
  });

export const insufficientScope = (scope: AdminScope) =>
  new AdminAuthError(403, 'insufficient_scope', `this request needs the ${scope} scope`, {
    headers: { 'WWW-Authenticate': challenge({ error: 'insufficient_scope', scope }) },
  });

/** A precise reason for a token that did not verify: the caller can act on it. */
function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return 'the token was issued by another issuer';
    if (error.claim === 'aud') return 'the token is not for the admin API (wrong audience)';
    if (error.claim === 'typ') return 'the token is not an access token (typ must be at+jwt)';
    if (error.claim === 'nbf') return 'the token is not valid yet';
    return `the token's ${error.claim} claim is not acceptable`;
  }
  if (
    error instanceof joseErrors.JWSSignatureVerificationFailed ||
    error instanceof joseErrors.JWKSNoMatchingKey ||
    error instanceof joseErrors.JWKSMultipleMatchingKeys
  ) {
    return 'the token signature does not verify against the published keys';
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed || error instanceof joseErrors.JOSENotSupported)
    return 'the token is signed with an algorithm the issuer does not use';
  return 'the token is malformed';
}

/** The unverified `iss` of a JWT, only to word a refusal; undefined when it is no JWT. */
function issuerOf(token: string): unknown {
  try {
    return decodeJwt(token).iss;
  } catch {
    return undefined;
  }
}

export interface AdminAuth {
  /** The middleware for a route that needs `scope`. */
  guard(scope: AdminScope): (ctx: Context, next: Next) => Promise<void>;
}

export function createAdminAuth(deps: AdminAuthDeps): AdminAuth {
  const now = deps.now ?? (() => Date.now());
  const operator = deps.operatorToken ? digest(deps.operatorToken) : undefined;
  const allowed = deps.allowedAddresses.length ? addressList(deps.allowedAddresses, 'ADMIN_ALLOWED_ADDRESSES') : undefined;
  const everything = new Set<AdminScope>(ADMIN_SCOPES);

  let keySet: { keys: JWK[]; verify: ReturnType<typeof createLocalJWKSet> } | undefined;
  const keysNow = () => {
    const keys = deps.verificationKeys();
    if (keySet?.keys !== keys) keySet = { keys, verify: createLocalJWKSet({ keys } as JSONWebKeySet) };
    return keySet.verify;
  };

  async function verify(token: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, keysNow(), {
        issuer: deps.issuer,
        audience: deps.resource,
        typ: 'at+jwt',
        requiredClaims: ['exp', 'iat', 'sub', 'client_id'],
        currentDate: new Date(now()),
      });
      return payload;
    } catch (error) {
      // A token of another issuer fails on its key before its claims are read; say which it is.
      const iss = issuerOf(token);
      if (typeof iss === 'string' && iss !== deps.issuer) throw invalidToken('the token was issued by another issuer');
      throw invalidToken(describeJoseError(error));
    }
  }

  async function actorFromJwt(payload: JWTPayload): Promise<Actor> {
    const clientId = String(payload.client_id);
    // RFC 9449: a DPoP-bound token is usable only with its proof; as a bearer token it is refused.
    if ((payload.cnf as { jkt?: unknown } | undefined)?.jkt !== undefined) {
      throw invalidToken('the token is DPoP-bound; the admin API accepts Bearer tokens only');
    }
    const client = await deps.findClient(clientId);
    if (!client) throw invalidToken('the client this token was issued to no longer exists');
    const clientCeiling = permissionSet(Array.isArray(client.admin_scopes) ? (client.admin_scopes as string[]) : []);
    const tokenScopes = permissionSet(typeof payload.scope === 'string' ? payload.scope.split(' ') : []);
    const within = (standing: ReadonlySet<AdminScope>) => new Set([...tokenScopes].filter((scope) => standing.has(scope) && clientCeiling.has(scope)));

    // A person's token carries the time of their sign-in (oidc/admin-resource.ts adds it); a
    // client-credentials token has no person and no auth_time.
    if (payload.auth_time === undefined) {
      if (payload.sub !== clientId) throw invalidToken('the token names neither a person nor its client');
      return { kind: 'client', id: clientId, clientId, permissions: clientCeiling, scopes: within(clientCeiling) };
    }
    const authTime = Number(payload.auth_time);
    if (!Number.isFinite(authTime) || epochSeconds(now) - authTime > deps.maxAuthAge) {
      throw invalidToken('the sign-in behind this token is too old; sign in again');
    }
    const account = await deps.findAccount(String(payload.sub));
    if (account?.status !== 'active' || account.deletedAt) throw invalidToken('the person this token was issued to is disabled or deleted');
    const permissions = await deps.roles.permissionsOf(account.adminRoles ?? []);
    return { kind: 'account', id: account.id, clientId, permissions, scopes: within(permissions) };
  }

  async function authenticate(ctx: Context): Promise<Actor> {
    if (allowed && !isListed(allowed, ctx.state.clientIp ?? ctx.ip)) {
      throw new AppError(403, 'address_not_allowed', 'the admin API is not open to this address');
    }
    const header = ctx.get('authorization');
    if (!header) throw missingToken();
    const match = /^Bearer ([\x21-\x7E]+)$/i.exec(header);
    if (!match) throw invalidToken('the admin API accepts Authorization: Bearer tokens only');
    const token = match[1] as string;
    // Always compared, so a guess costs the same whether it looks like a JWT or not.
    const isOperator = operator !== undefined && timingSafeEqual(digest(token), operator);
    if (isOperator) {
      deps.logger.warn(
        { method: ctx.method, path: ctx.path },
        'admin API called with OPERATOR_TOKEN (break-glass); prefer a personal admin token (npm run portcullis -- login)',
      );
      // Every use, reads included, is on the record (writes also emit their own admin.* event).
      actAs({ kind: 'operator' });
      deps.audit.emit({ type: 'admin.operator_token', detail: { actor: { kind: 'operator', id: 'operator' }, method: ctx.method, path: ctx.path } });
      return { kind: 'operator', id: 'operator', permissions: everything, scopes: everything };
    }
    const actor = await actorFromJwt(await verify(token));
    actAs({ kind: 'admin', id: actor.id });
    return actor;
  }

  return {
    guard(scope) {
      return async function adminGuard(ctx, next) {
        ctx.set('Cache-Control', 'no-store');
        try {
          const actor = await authenticate(ctx);
          if (!actor.scopes.has(scope)) throw insufficientScope(scope);
          ctx.state.actor = actor;
        } catch (error) {
          if (error instanceof AppError) {
            deps.audit.emit({
              type: 'admin.refused',
              detail: { status: error.status, error: error.code, method: ctx.method, path: ctx.path, scope },
            });
          }
          throw error;
        }
        await next();
      };
    },
  };
}
