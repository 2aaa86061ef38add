/**
 * `portcullis roles list|show|add|update|delete`: management roles (a name, a description, a set
 * of admin scopes) through the admin API. The built-in admin, helpdesk and auditor cannot change.
 */
import { ADMIN_SCOPES } from '../rbac/scopes.ts';
import { apiCommand, segment } from './api-command.ts';
import { type Column, cell, printFields, printJson, printTable } from './output.ts';
import { UsageError } from './run.ts';
import { listPages } from './users.ts';

/** As src/admin/roles.ts answers. */
type RoleView = { name: string; description: string; permissions: string[]; built_in: boolean };

const COLUMNS: Array<Column<RoleView>> = [
  ['NAME', (role) => role.name],
  ['BUILT-IN', (role) => (role.built_in ? 'yes' : '')],
  ['PERMISSIONS', (role) => cell(role.permissions)],
  ['DESCRIPTION', (role) => cell(role.description)],
];

const PERMISSION_HELP = `permissions: ${ADMIN_SCOPES.join(' ')}`;

export const rolesList = apiCommand({
  summary: 'list management roles and their permissions',
  usage: 'roles list [--json]',
  async run({ client, io, json }) {
    // Every page: a list longer than one page (50) must not look complete when it is not.
    const page = await listPages<RoleView>(await client(), '/roles', new URLSearchParams(), {}, io);
    if (json) printJson(page, io);
    else printTable(page.items, COLUMNS, io);
    return 0;
  },
});

export const rolesShow = apiCommand({
  summary: 'show one management role',
  usage: 'roles show <name> [--json]',
  positionals: { min: 1, max: 1 },
  async run({ positionals, client, io, json }) {
    const role = await (await client()).get<RoleView>(`/roles/${segment(positionals[0] as string)}`);
    if (json) printJson(role, io);
    else printFields(role, io);
    return 0;
  },
});

const ADD_USAGE = `roles add <name> --description <text> --permission <scope>… [--json]  (${PERMISSION_HELP})`;

export const rolesAdd = apiCommand({
  summary: 'create a management role from admin scopes (you may grant only scopes you hold)',
  usage: ADD_USAGE,
  positionals: { min: 1, max: 1 },
  options: { description: { type: 'string' }, permission: { type: 'string', multiple: true } },
  async run({ values, positionals, client, io, json }) {
    if (!values.permission?.length) throw new UsageError('name at least one --permission', ADD_USAGE);
    const body = { name: positionals[0], description: values.description ?? '', permissions: values.permission };
    const role = await (await client()).post<RoleView>('/roles', body);
    if (json) printJson(role, io);
    else io.out(`created role ${role.name}: ${cell(role.permissions)}`);
    return 0;
  },
});

const UPDATE_USAGE = `roles update <name> [--description <text>] [--permission <scope>…] [--json]  (--permission replaces the list; ${PERMISSION_HELP})`;

export const rolesUpdate = apiCommand({
  summary: "change a role's description or permissions (holders' admin tokens follow at their next request)",
  usage: UPDATE_USAGE,
  positionals: { min: 1, max: 1 },
  options: { description: { type: 'string' }, permission: { type: 'string', multiple: true } },
  async run({ values, positionals, client, io, json }) {
    const patch: Record<string, unknown> = {};
    if (values.description !== undefined) patch.description = values.description;
    if (values.permission) patch.permissions = values.permission;
    if (Object.keys(patch).length === 0) throw new UsageError('nothing to change', UPDATE_USAGE);
    const role = await (await client()).patch<RoleView>(`/roles/${segment(positionals[0] as string)}`, patch);
    if (json) printJson(role, io);
    else printFields(role, io);
    return 0;
  },
});

export const rolesDelete = apiCommand({
  summary: 'delete a management role nobody holds',
  usage: 'roles delete <name>',
  positionals: { min: 1, max: 1 },
  async run({ positionals, client, io }) {
    await (await client()).delete(`/roles/${segment(positionals[0] as string)}`);
    io.out(`deleted role ${positionals[0]}`);
    return 0;
  },
});
