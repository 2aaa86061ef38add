/**
 * An admin access token for a client actor, signed with the server's own current key exactly as
 * oidc-provider signs one (RFC 9068 at+jwt, aud <ISSUER>/admin/v1, sub = client_id, no
 * auth_time), for tests of the admin API's policy that need an actor other than the operator.
 * The auth check (src/admin/auth.ts) treats it like any token the issuer gave out.
 */
import { importJWK, SignJWT } from 'jose';
import type { Portcullis } from '../../src/app.ts';
import { privateJwks } from '../../src/keys/keystore.ts';
import { adminResourceOf } from '../../src/rbac/scopes.ts';

export async function clientAdminToken(portcullis: Portcullis, clientId: string, scopes: readonly string[]): Promise<string> {
  const [key] = privateJwks(await portcullis.store.keys.list(), portcullis.sealer);
  if (!key) throw new Error('the server has no signing key');
  const issuer = portcullis.config.issuer;
  return new SignJWT({ client_id: clientId, scope: scopes.join(' ') })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
    .setIssuer(issuer)
    .setAudience(adminResourceOf(issuer))
    .setSubject(clientId)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(await importJWK(key as Parameters<typeof importJWK>[0], key.alg));
}

/** A person's admin token as the CLI's device flow would get it: auth_time now, client portcullis-cli. */
export async function personAdminToken(portcullis: Portcullis, accountId: string, scopes: readonly string[]): Promise<string> {
  const [key] = privateJwks(await portcullis.store.keys.list(), portcullis.sealer);
  if (!key) throw new Error('the server has no signing key');
  const issuer = portcullis.config.issuer;
  return new SignJWT({ client_id: 'portcullis-cli', scope: scopes.join(' '), auth_time: Math.floor(Date.now() / 1000) })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
    .setIssuer(issuer)
    .setAudience(adminResourceOf(issuer))
    .setSubject(accountId)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(await importJWK(key as Parameters<typeof importJWK>[0], key.alg));
}
