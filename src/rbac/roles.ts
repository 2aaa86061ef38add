/**
 * Management roles: the three built-in ones (immutable) and those created through
 * /admin/v1/roles, kept as records of kind `admin-role`. A role name a person holds but that no
 * longer exists grants nothing.
 */
import type { RecordRepository } from '../storage/port.ts';
import { type AdminRole, type AdminScope, BUILT_IN_ROLES, permissionSet } from './scopes.ts';

const KIND = 'admin-role';

export interface StoredRole {
  name: string;
  description: string;
  permissions: AdminScope[];
  createdAt: string;
  updatedAt: string;
}

export interface RoleRegistry {
  /** Built-in roles first, then stored ones by name. */
  list(): Promise<AdminRole[]>;
  get(name: string): Promise<AdminRole | undefined>;
  /** Writes a stored role (never a built-in one: callers check `builtIn` first); keeps its createdAt. */
  put(role: StoredRole): Promise<void>;
  delete(name: string): Promise<void>;
  /** The union of the permissions of the named roles. */
  permissionsOf(names: readonly string[]): Promise<Set<AdminScope>>;
}

const builtIn = new Map(BUILT_IN_ROLES.map((role) => [role.name, role]));

export const isBuiltInRole = (name: string): boolean => builtIn.has(name);

export function createRoleRegistry(records: RecordRepository): RoleRegistry {
  const stored = async (name: string) => {
    const value = await records.get<StoredRole>(KIND, name);
    return value ? { name: value.name, description: value.description, permissions: value.permissions } : undefined;
  };
  return {
    async list() {
      const custom = (await records.list<StoredRole>(KIND)).map(({ value }) => ({
        name: value.name,
        description: value.description,
        permissions: value.permissions,
      }));
      return [...BUILT_IN_ROLES, ...custom.sort((a, b) => a.name.localeCompare(b.name))];
    },
    async get(name) {
      return builtIn.get(name) ?? (await stored(name));
    },
    async put(role) {
      // An update keeps the time the role was first written.
      const before = await records.get<StoredRole>(KIND, role.name);
      await records.put(KIND, role.name, { ...role, createdAt: before?.createdAt ?? role.createdAt });
    },
    delete: (name) => records.delete(KIND, name),
    async permissionsOf(names) {
      const scopes: string[] = [];
      for (const name of new Set(names)) {
        const role = builtIn.get(name) ?? (await stored(name));
        if (role) scopes.push(...role.permissions);
      }
      return permissionSet(scopes);
    },
  };
}
