/**
 * Clients Portcullis registers for itself, from the configuration rather than the store
 * (oidc-provider's static `clients`): they exist on every start with the right redirect for the
 * current ISSUER, nothing outside the code can change them, and the admin API refuses to update
 * or delete them.
 *
 *  - `portcullis-account`: the account console signs people in through the issuer's own code flow
 *    (public client, PKCE, redirect `<ISSUER>/account/callback`, no consent screen).
 *  - `portcullis-cli`: `npm run portcullis -- login` gets a person's admin token by the device flow
 *    (RFC 8628). Its admin_scopes list every scope; a person receives only what their admin_roles grant.
 */
import type { ClientMetadata } from 'oidc-provider';
import { ADMIN_SCOPES } from '../rbac/scopes.ts';

export const ACCOUNT_CLIENT_ID = 'portcullis-account';
export const CLI_CLIENT_ID = 'portcullis-cli';

const INTERNAL = new Set([ACCOUNT_CLIENT_ID, CLI_CLIENT_ID]);
export const isInternalClient = (clientId: string): boolean => INTERNAL.has(clientId);

export function internalClients(issuer: string): ClientMetadata[] {
  const base = issuer.replace(/\/$/, '');
  return [
    {
      client_id: ACCOUNT_CLIENT_ID,
      client_name: 'Your account',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [`${base}/account/callback`],
      post_logout_redirect_uris: [`${base}/account`],
      first_party: true,
    },
    {
      client_id: CLI_CLIENT_ID,
      client_name: 'Portcullis CLI',
      token_endpoint_auth_method: 'none',
      grant_types: ['urn:ietf:params:oauth:grant-type:device_code'],
      response_types: [],
      redirect_uris: [],
      first_party: true,
      admin_scopes: [...ADMIN_SCOPES],
    },
  ];
}
