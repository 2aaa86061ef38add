/**
 * Checks that a JWT was signed by one of the keys this instance currently publishes. Our own
 * endpoints (introspection, userinfo, revocation) look JWT access tokens up through this, so a
 * token signed by a revoked or retired key is unknown to them the moment the key set changes.
 */
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import type { PublicJwk } from './manager.ts';

export type OwnJwtVerifier = (jwt: string) => Promise<{ jti: string } | undefined>;

export function createOwnJwtVerifier(trusted: (kid: string) => PublicJwk | undefined, issuer: string): OwnJwtVerifier {
  // A kid names one key for ever (never reused), so its imported form can be kept.
  const imported = new Map<string, Promise<CryptoKey | Uint8Array>>();
  return async (jwt) => {
    try {
      const { kid, alg } = decodeProtectedHeader(jwt);
      const jwk = kid ? trusted(kid) : undefined;
      if (!kid || !alg || !jwk || alg !== jwk.alg) return undefined;
      let key = imported.get(kid);
      if (!key) {
        key = importJWK(jwk as JWK, alg);
        imported.set(kid, key);
      }
      const { payload } = await compactVerify(jwt, await key, { algorithms: [alg] });
      const claims = JSON.parse(new TextDecoder().decode(payload)) as { iss?: unknown; jti?: unknown };
      if (claims.iss !== issuer || typeof claims.jti !== 'string') return undefined;
      return { jti: claims.jti };
    } catch {
      // Not a JWT, a bad signature, a malformed payload: not one of ours.
      return undefined;
    }
  };
}
