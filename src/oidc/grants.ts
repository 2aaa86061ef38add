/**
 * Revoking a grant means revoking its whole token family: the grant itself and every access token,
 * refresh token, code and pending device or CIBA request issued under it. Used when a refresh
 * token is reused, when a session is ended and when a password changes.
 */
import type { Store } from '../storage/port.ts';

/** Every model whose records carry a grantId (see storage/mongo/indexes.ts GRANT_BOUND). */
const GRANT_BOUND = ['AccessToken', 'RefreshToken', 'AuthorizationCode', 'DeviceCode', 'BackchannelAuthenticationRequest'];

export type RevokeGrant = (grantId: string) => Promise<void>;

export function createGrantRevoker(store: Pick<Store, 'model'>): RevokeGrant {
  return async (grantId) => {
    // The grant goes first. A token that a request already in flight writes after this point
    // finds no grant and removes itself (refresh/family.ts), and oidc-provider accepts nothing
    // issued from a missing grant (token, userinfo and introspection all look it up).
    await store.model('Grant').destroy(grantId);
    await Promise.all(GRANT_BOUND.map((model) => store.model(model).revokeByGrantId(grantId)));
  };
}
