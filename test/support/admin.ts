/**
 * Admin API fixtures: a bootstrap file with clients that hold admin_scopes (a client-credentials
 * robot, a first-party console, a robot with every scope) and people with admin_roles.
 */
import { ADMIN_SCOPES } from '../../src/rbac/scopes.ts';
import { CALLBACK } from './rp.ts';
import { DEFAULT_BOOTSTRAP, PASSWORD } from './server.ts';

export const OPS = { client_id: 'ops-robot', secret: 'ops-robot-secret-that-is-long-enough' };
export const CONSOLE = { client_id: 'admin-console', secret: 'admin-console-secret-that-is-long-enough' };

/** A robot that may hold every admin scope. */
export const ALL = { client_id: 'all-robot', secret: 'all-robot-secret-that-is-long-enough' };

const person = (username: string, adminRoles: string[]) => ({
  username,
  email: `${username}@example.com`,
  name: username,
  roles: ['user'],
  admin_roles: adminRoles,
  password: PASSWORD,
});

export const ADMIN_BOOTSTRAP = {
  ...DEFAULT_BOOTSTRAP,
  clients: [
    ...DEFAULT_BOOTSTRAP.clients,
    {
      client_id: OPS.client_id,
      client_secret: OPS.secret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_post',
      admin_scopes: ['users:read', 'keys:read', 'lockout:read'],
    },
    {
      client_id: CONSOLE.client_id,
      client_secret: CONSOLE.secret,
      client_name: 'Admin Console',
      redirect_uris: [CALLBACK],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile offline_access',
      first_party: true,
      admin_scopes: ['users:read', 'users:write', 'users:mfa', 'keys:read', 'lockout:read', 'lockout:write'],
    },
    {
      client_id: ALL.client_id,
      client_secret: ALL.secret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_post',
      admin_scopes: [...ADMIN_SCOPES],
    },
  ],
  users: [...DEFAULT_BOOTSTRAP.users, person('hanna', ['helpdesk']), person('ivan', ['admin']), person('judy', ['auditor'])],
};
