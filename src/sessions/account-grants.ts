/**
 * Grants that outlived their browser session. A grant (and its refresh-token family) is made in
 * a session but lives on after it: a native app signs in once and then lives on refresh tokens
 * for up to REFRESH_TOKEN_ABSOLUTE_TTL (30 days) while its session idles out after
 * SESSION_IDLE_TTL (7 days). Such a grant is reachable only through the account (the Grant model
 * is indexed by accountId), never through a live session. "End every other session" and a
 * password change revoke these too, and tell each client which of its sessions ended (the sid
 * is on the family's refresh tokens) when it registered a back-channel logout URI.
 */
import type Provider from 'oidc-provider';
import type { AuditBus } from '../audit/bus.ts';
import type { BackchannelSender } from '../oidc/backchannel.ts';
import type { RevokeGrant } from '../oidc/grants.ts';
import type { ModelPayload, ModelStore } from '../storage/port.ts';

export interface AccountGrantDeps {
  grants: ModelStore;
  refreshTokens: ModelStore;
  provider: () => Provider;
  revokeGrant: RevokeGrant;
  backchannel: BackchannelSender;
  audit: AuditBus;
}

/** Revokes every grant of the account whose id is not in `keep`; resolves with how many. */
export type RevokeAccountGrants = (accountId: string, keep: ReadonlySet<string>, reason: string) => Promise<number>;

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * Revokes one grant of the person with its whole family and records why; resolves with the
 * session ids its refresh tokens carried, which its client is to be told about (connected-apps.ts
 * uses it too).
 */
export async function endGrant(
  deps: Pick<AccountGrantDeps, 'refreshTokens' | 'revokeGrant' | 'audit'>,
  accountId: string,
  grant: { id: string; payload: ModelPayload },
  reason: string,
): Promise<Set<string>> {
  // Read before revoking: the refresh tokens go with the grant.
  const tokens = await deps.refreshTokens.findByGrantId(grant.id);
  const sids = new Set(tokens.map((token) => text(token.payload.sid)).filter((sid) => sid !== undefined));
  await deps.revokeGrant(grant.id);
  deps.audit.emit({ type: 'grant.revoked', accountId, clientId: text(grant.payload.clientId), detail: { grantId: grant.id, reason } });
  return sids;
}

export function createAccountGrantRevoker(deps: AccountGrantDeps): RevokeAccountGrants {
  return async (accountId, keep, reason) => {
    const revoking = (await deps.grants.findByAccountId(accountId)).filter((grant) => !keep.has(grant.id));
    const provider = deps.provider();
    await Promise.all(
      revoking.map(async (grant) => {
        const clientId = text(grant.payload.clientId);
        const sids = await endGrant(deps, accountId, grant, reason);
        if (!clientId) return;
        for (const sid of sids) await deps.backchannel(provider, { clientId, accountId, sid, reason: 'session_ended' });
      }),
    );
    return revoking.length;
  };
}
