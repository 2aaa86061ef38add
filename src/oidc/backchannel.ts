/**
 * OpenID Connect Back-Channel Logout 1.0: tells a client, server to server, that the person's
 * session `sid` ended. oidc-provider's Client signs and posts the logout token (2.5 s timeout,
 * outbound requests to private addresses refused unless OUTBOUND_ALLOW_PRIVATE_ADDRESSES, oidc/outbound.ts).
 * Delivery is best effort: a client that does not answer 200/204 gets an audit event, not a retry.
 */
import type Provider from 'oidc-provider';
import type { AuditBus } from '../audit/bus.ts';
import { describeError, OutboundRefusedError } from './outbound.ts';

export interface LogoutTarget {
  clientId: string;
  accountId: string;
  sid: string;
  /** Why: `session_ended`, `refresh_token_reuse`, … (audit detail). */
  reason: string;
}

/** Resolves true when the client was told, false when it has no back-channel URI or failed. */
export type BackchannelSender = (provider: Provider, target: LogoutTarget) => Promise<boolean>;

// backchannelLogout is public on oidc-provider's Client but missing from @types/oidc-provider.
type WithLogout = { backchannelLogoutUri?: string | undefined; backchannelLogout(sub: string, sid: string): Promise<void> };

export function createBackchannelSender(audit: AuditBus): BackchannelSender {
  return async (provider, target) => {
    const client = (await provider.Client.find(target.clientId)) as unknown as WithLogout | undefined;
    if (!client?.backchannelLogoutUri) return false;
    const base = { clientId: target.clientId, accountId: target.accountId };
    try {
      await client.backchannelLogout(target.accountId, target.sid);
      audit.emit({ type: 'backchannel_logout.sent', ...base, detail: { reason: target.reason } });
      return true;
    } catch (error) {
      // The whole cause chain: undici's own message is only "fetch failed".
      const refused = error instanceof OutboundRefusedError ? { refused: error.code } : {};
      audit.emit({ type: 'backchannel_logout.error', ...base, detail: { reason: target.reason, error: describeError(error), ...refused } });
      return false;
    }
  };
}
