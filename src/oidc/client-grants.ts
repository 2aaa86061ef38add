/**
 * Ending every grant of a deleted client: each person's grants with it, their refresh-token
 * families, access tokens and codes (grants.ts). Grants are indexed by person, not by client, so
 * this walks the accounts: a client deletion is rare and an admin action, not a request path.
 * Client-credentials tokens belong to no grant and are not listed by client; they die with the
 * client record instead (oidc-provider authenticates, and our introspection policy answers, only
 * for a client it still finds), and expire within their lifetime.
 */
import type { AuditBus } from '../audit/bus.ts';
import type { AccountRepository, ModelStore } from '../storage/port.ts';
import type { RevokeGrant } from './grants.ts';

export interface ClientGrantDeps {
  accounts: Pick<AccountRepository, 'list'>;
  grants: ModelStore;
  revokeGrant: RevokeGrant;
  audit: AuditBus;
}

export function createClientGrantRevoker(deps: ClientGrantDeps): (clientId: string) => Promise<void> {
  return async (clientId) => {
    for (const account of await deps.accounts.list()) {
      for (const grant of await deps.grants.findByAccountId(account.id)) {
        if (grant.payload.clientId !== clientId) continue;
        await deps.revokeGrant(grant.id);
        deps.audit.emit({ type: 'grant.revoked', accountId: account.id, clientId, detail: { grantId: grant.id, reason: 'client_deleted' } });
      }
    }
  };
}
