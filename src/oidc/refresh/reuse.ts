/**
 * What happens when a refresh token is reused: the whole family (the grant) is revoked, an audit
 * event names client, account and IP (the audit bus adds the request's IP), and the client the
 * family belongs to gets a back-channel logout for the session it was issued in, if it
 * registered a back-channel logout URI.
 *
 * Twenty concurrent replays are twenty reuse events but one incident: the first to mark the grant
 * (the store's conditional write again) sends the logout; the rest only revoke, which is idempotent.
 */
import type { AuditBus } from '../../audit/bus.ts';
import type { ModelStore } from '../../storage/port.ts';
import type { BackchannelSender } from '../backchannel.ts';
import type { RevokeGrant } from '../grants.ts';
import type { ReuseReport } from './guard.ts';

export interface ReuseResponseDeps {
  grants: ModelStore;
  revokeGrant: RevokeGrant;
  audit: AuditBus;
  backchannel: BackchannelSender;
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

export function createReuseResponse(deps: ReuseResponseDeps): (report: ReuseReport) => Promise<void> {
  return async ({ ctx, token, presentedBy, reason }) => {
    const grantId = text(token.grantId);
    const accountId = text(token.accountId);
    const issuedTo = text(token.clientId);
    const first = grantId ? await deps.grants.consume(grantId) : false;
    if (grantId) await deps.revokeGrant(grantId);
    deps.audit.emit({
      type: 'refresh_token.reuse_detected',
      clientId: presentedBy,
      accountId,
      // Whoever holds the stolen or replayed token presents it as this client; the person is its victim.
      actor: presentedBy ? { kind: 'client', id: presentedBy } : undefined,
      detail: { reason, grantId, issuedTo, rotations: typeof token.rotations === 'number' ? token.rotations : 0 },
    });
    const sid = text(token.sid);
    if (first && sid && accountId && issuedTo) {
      await deps.backchannel(ctx.oidc.provider, { clientId: issuedTo, accountId, sid, reason: 'refresh_token_reuse' });
    }
  };
}
