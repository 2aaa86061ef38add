/**
 * Grants that hold the admin API. When a person's admin roles change, every grant of theirs whose
 * resources include `<ISSUER>/admin/v1` is revoked with its tokens (oidc/grants.ts): a refresh
 * token minted under the old roles must not mint another admin token. Their other grants stay.
 */
import type { AuditBus } from '../audit/bus.ts';
import type { RevokeGrant } from '../oidc/grants.ts';
import type { ModelStore } from '../storage/port.ts';

export interface AdminGrantDeps {
  grants: ModelStore;
  revokeGrant: RevokeGrant;
  audit: AuditBus;
  /** The admin resource identifier (rbac/scopes.ts adminResourceOf). */
  resource: string;
}

export function createAdminGrantRevoker(deps: AdminGrantDeps): (accountId: string) => Promise<number> {
  return async (accountId) => {
    const holding = (await deps.grants.findByAccountId(accountId)).filter((grant) => {
      const resources = grant.payload.resources;
      return typeof resources === 'object' && resources !== null && Object.hasOwn(resources, deps.resource);
    });
    for (const grant of holding) {
      await deps.revokeGrant(grant.id);
      deps.audit.emit({
        type: 'grant.revoked',
        accountId,
        clientId: typeof grant.payload.clientId === 'string' ? grant.payload.clientId : undefined,
        detail: { grantId: grant.id, reason: 'admin_roles_changed' },
      });
    }
    return holding.length;
  };
}
