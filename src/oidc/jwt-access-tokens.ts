/**
 * JWT access tokens at our own endpoints. oidc-provider signs them without storing them, and
 * looks every access token up by handing the presented value to the adapter's find(): for a JWT
 * that finds nothing, so introspection would call every JWT access token inactive. Here:
 *  - at issuance (formats.customizers.jwt, awaited before signing) the token's model payload is
 *    stored under its jti, marked `format: 'jwt'`;
 *  - find() accepts a JWT only if a key this instance publishes signed it, then returns the
 *    stored payload. Revoking (or retiring) a key makes every token it signed unknown to
 *    introspection, userinfo and token revocation at once;
 *  - a lookup by plain id never returns such a record: a jti is readable by anyone who saw the
 *    JWT (resource servers log it) and must not work as an opaque bearer token on its own.
 * Grant revocation (revokeByGrantId) and the revocation endpoint remove the record as usual.
 */
import type { Configuration } from 'oidc-provider';
import type { OwnJwtVerifier } from '../keys/verify-own.ts';
import type { ModelPayload, Store } from '../storage/port.ts';
import type { AdapterConstructor } from './adapter.ts';

type JwtCustomizer = NonNullable<NonNullable<NonNullable<Configuration['formats']>['customizers']>['jwt']>;

const JWT_MODELS = new Set(['AccessToken', 'ClientCredentials']);
/** Opaque values are single base64url strings; a compact JWS has three parts. */
const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]+$/;
const MARK = 'jwt';

export function recordJwtAccessTokens(store: Store): JwtCustomizer {
  return async (_ctx, token, parts) => {
    // IN_PAYLOAD is the model's own list of stored fields (what an opaque token would keep).
    const fields = (token.constructor as unknown as { IN_PAYLOAD: readonly string[] }).IN_PAYLOAD;
    const source = token as unknown as Record<string, unknown>;
    const payload: ModelPayload = { format: MARK };
    for (const field of fields) {
      if (source[field] !== undefined) payload[field] = source[field];
    }
    const { iat, exp, jti } = parts.payload as { iat: number; exp: number; jti: string };
    Object.assign(payload, { iat, exp, jti });
    await store.model(token.kind).upsert(jti, payload, Math.max(1, exp - Math.floor(Date.now() / 1000)));
  };
}

export function withJwtAccessTokenLookup(Base: AdapterConstructor, verify: OwnJwtVerifier): AdapterConstructor {
  return class JwtAwareAdapter extends Base {
    readonly modelName: string;
    constructor(model: string) {
      super(model);
      this.modelName = model;
    }
    override async find(id: string): Promise<ModelPayload | undefined> {
      if (!JWT_MODELS.has(this.modelName)) return super.find(id);
      if (!COMPACT_JWS.test(id)) {
        const payload = await super.find(id);
        return payload?.format === MARK ? undefined : payload;
      }
      const own = await verify(id);
      const stored = own ? await super.find(own.jti) : undefined;
      if (stored?.format !== MARK) return undefined;
      // oidc-provider refuses stored payloads that name a format other than opaque.
      const { format: _format, ...payload } = stored;
      return payload;
    }
  };
}
