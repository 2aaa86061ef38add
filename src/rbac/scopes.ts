/**
 * The admin API as an OAuth resource of Portcullis itself: its identifier, its scopes and the
 * built-in management roles. Scopes are the permissions everything else speaks of: a role is a
 * named set of them, a client's `admin_scopes` is one, and a token carries some of them.
 */
/** Where the admin API lives: the server mounts it here and the CLI calls it here. */
export const ADMIN_PREFIX = '/admin/v1';

export const ADMIN_SCOPES = [
  'users:read',
  'users:write',
  'users:mfa',
  'sessions:read',
  'sessions:write',
  'clients:read',
  'clients:write',
  'resources:read',
  'resources:write',
  'roles:read',
  'roles:write',
  'keys:read',
  'keys:write',
  'lockout:read',
  'lockout:write',
  'audit:read',
] as const;

export type AdminScope = (typeof ADMIN_SCOPES)[number];
export type Permissions = ReadonlySet<AdminScope>;

const KNOWN = new Set<string>(ADMIN_SCOPES);
export const isAdminScope = (value: string): value is AdminScope => KNOWN.has(value);

/** `<ISSUER>/admin/v1`: the resource indicator (RFC 8707) and the audience of admin tokens. */
export const adminResourceOf = (issuer: string): string => `${issuer.replace(/\/$/, '')}${ADMIN_PREFIX}`;

export interface AdminRole {
  name: string;
  description: string;
  permissions: AdminScope[];
  /** Built-in roles cannot be changed or deleted. */
  builtIn?: boolean;
}

export const BUILT_IN_ROLES: readonly AdminRole[] = [
  { name: 'admin', description: 'every permission of the admin API', permissions: [...ADMIN_SCOPES], builtIn: true },
  {
    name: 'helpdesk',
    description: 'finds people, resets their second factors, ends their sessions and lifts lockouts',
    permissions: ['users:read', 'users:mfa', 'sessions:read', 'sessions:write', 'lockout:read', 'lockout:write'],
    builtIn: true,
  },
  {
    name: 'auditor',
    description: 'reads everything, changes nothing',
    permissions: [...ADMIN_SCOPES.filter((scope) => scope.endsWith(':read'))],
    builtIn: true,
  },
];

/** The role that "the last holder of admin" speaks of. */
export const ADMIN_ROLE = 'admin';

export function permissionSet(scopes: Iterable<string>): Set<AdminScope> {
  const set = new Set<AdminScope>();
  for (const scope of scopes) if (isAdminScope(scope)) set.add(scope);
  return set;
}

export const isSubset = (inner: Iterable<AdminScope>, outer: Permissions): boolean => [...inner].every((scope) => outer.has(scope));
