/**
 * "At most one live refresh token per family" (a family is a grant), kept true under any
 * interleaving by checking after every write, never before it:
 *
 * - Rotation: the presented token is consumed by one conditional write (only one request can
 *   win it), then the new token is written, then we check that the presented token still exists.
 *   Revocation deletes every token of the grant; a new first token deletes every other token of
 *   the grant (below). Either happened before our check, and we delete our new token, or after
 *   our write, and it deleted our new token with the rest.
 * - First token of a family (code or device-code redemption): written, then every other token
 *   of the grant is deleted, consumed ones included. Of two such writes, the later check sees the
 *   earlier token. A rotation racing with it either sees its presented token gone (above) or has
 *   its new token deleted here. If the grant itself is gone (revoked meanwhile), the new token goes.
 */
import type { ModelStore } from '../../storage/port.ts';

export interface FamilyKeeper {
  afterRotation(newId: string, presentedId: string): Promise<void>;
  afterFirstToken(newId: string, grantId: string): Promise<void>;
}

export function createFamilyKeeper(refreshTokens: ModelStore, grants: ModelStore): FamilyKeeper {
  return {
    async afterRotation(newId, presentedId) {
      if (!(await refreshTokens.find(presentedId))) await refreshTokens.destroy(newId);
    },
    async afterFirstToken(newId, grantId) {
      if (!(await grants.find(grantId))) {
        await refreshTokens.destroy(newId);
        return;
      }
      const others = (await refreshTokens.findByGrantId(grantId)).filter((record) => record.id !== newId);
      await Promise.all(others.map((record) => refreshTokens.destroy(record.id)));
    },
  };
}
