/**
 * `portcullis users list|show|sessions`: reading people through the admin API. A person is named
 * by username or account id (`<user>`); the API itself speaks only ids, so a username is looked up
 * first (users-lookup below). users-write.ts has the commands that change people.
 */
import { apiCommand, segment } from './api-command.ts';
import { integerOption } from './args.ts';
import type { AdminClient } from './operator-client.ts';
import { OperatorCallError } from './operator-client.ts';
import { type Column, cell, printFields, printJson, printTable } from './output.ts';
import { type CliContext, UsageError } from './run.ts';

export interface UserView {
  id: string;
  username: string;
  email: string | null;
  email_verified: boolean;
  name: string | null;
  roles: string[];
  admin_roles: string[];
  disabled: boolean;
  must_change_password: boolean;
  mfa: { totp: boolean; backup_codes: boolean };
  created_at: string;
  updated_at: string;
  password_changed_at: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

const mfaCell = (user: UserView) => [user.mfa?.totp ? 'totp' : '', user.mfa?.backup_codes ? 'backup-codes' : ''].filter(Boolean).join(',') || '-';
const statusCell = (user: UserView) =>
  [user.disabled ? 'disabled' : 'active', user.must_change_password ? 'must-change-password' : ''].filter(Boolean).join(',');

const USER_COLUMNS: Array<Column<UserView>> = [
  ['ID', (user) => user.id],
  ['USERNAME', (user) => user.username],
  ['EMAIL', (user) => cell(user.email)],
  ['NAME', (user) => cell(user.name)],
  ['ROLES', (user) => cell(user.roles)],
  ['ADMIN ROLES', (user) => cell(user.admin_roles)],
  ['STATUS', statusCell],
  ['MFA', mfaCell],
];

/**
 * The account id for what a person typed: an exact username match from `?q=` (prefix search),
 * else a single case-insensitive one, else the value itself taken as an id.
 */
export async function userIdOf(client: AdminClient, ref: string): Promise<string> {
  let page: Page<UserView>;
  try {
    page = await client.get<Page<UserView>>(`/users?${new URLSearchParams({ q: ref, limit: '100' })}`);
  } catch (error) {
    // A value the search refuses (400) can still be an id; refusals and outages are real.
    if (error instanceof OperatorCallError && error.status === 400) return ref;
    throw error;
  }
  const exact = page.items.find((user) => user.username === ref);
  if (exact) return exact.id;
  const folded = page.items.filter((user) => user.username.toLowerCase() === ref.toLowerCase());
  return folded.length === 1 ? (folded[0] as UserView).id : ref;
}

/**
 * Every page of a list (following next_cursor), or the one page asked for with --limit/--cursor;
 * says on stderr where the next page starts when one was asked for and more remain.
 */
export async function listPages<T>(
  client: AdminClient,
  path: string,
  query: URLSearchParams,
  paging: { limit?: number | undefined; cursor?: string | undefined },
  io: CliContext,
): Promise<Page<T>> {
  const onePage = paging.limit !== undefined || paging.cursor !== undefined;
  if (paging.cursor) query.set('cursor', paging.cursor);
  query.set('limit', String(paging.limit ?? 100));
  const items: T[] = [];
  for (;;) {
    const page = await client.get<Page<T>>(`${path}?${query}`);
    items.push(...page.items);
    if (onePage) {
      if (page.next_cursor) io.err(`more: --cursor ${page.next_cursor}`);
      return { items, next_cursor: page.next_cursor };
    }
    if (!page.next_cursor) return { items, next_cursor: null };
    query.set('cursor', page.next_cursor);
  }
}

export const PAGING = { limit: { type: 'string' }, cursor: { type: 'string' } } as const;

const LIST_USAGE = 'users list [--q <prefix>] [--role <role>] [--admin-role <role>] [--disabled | --enabled] [--limit <n>] [--cursor <c>] [--json]';

export const usersList = apiCommand({
  summary: 'list people (a table; --q prefix of username or email, --role, --admin-role, --disabled/--enabled)',
  usage: LIST_USAGE,
  options: {
    q: { type: 'string' },
    role: { type: 'string' },
    'admin-role': { type: 'string' },
    disabled: { type: 'boolean' },
    enabled: { type: 'boolean' },
    ...PAGING,
  },
  async run({ values, client, io, json }) {
    const query = new URLSearchParams();
    if (values.q !== undefined) query.set('q', values.q);
    if (values.role !== undefined) query.set('role', values.role);
    if (values['admin-role'] !== undefined) query.set('admin_role', values['admin-role']);
    if (values.disabled && values.enabled) throw new UsageError('--disabled and --enabled exclude each other (leave both out for everyone)', LIST_USAGE);
    if (values.disabled) query.set('disabled', 'true');
    if (values.enabled) query.set('disabled', 'false');
    const limit = integerOption(values.limit, 'limit', 1, 100, LIST_USAGE);
    const page = await listPages<UserView>(await client(), '/users', query, { limit, cursor: values.cursor }, io);
    if (json) printJson(page, io);
    else printTable(page.items, USER_COLUMNS, io);
    return 0;
  },
});

export const usersShow = apiCommand({
  summary: 'show one person (by username or id)',
  usage: 'users show <user> [--json]',
  positionals: { min: 1, max: 1 },
  async run({ positionals, client, io, json }) {
    const api = await client();
    const user = await api.get<UserView>(`/users/${segment(await userIdOf(api, positionals[0] as string))}`);
    if (json) printJson(user, io);
    else printFields({ ...user, mfa: mfaCell(user) } as unknown as Record<string, unknown>, io);
    return 0;
  },
});

interface SessionView {
  id: string;
  created_at: string;
  last_seen_at: string;
  ip?: string;
  device?: string;
  clients: string[];
}

const SESSION_COLUMNS: Array<Column<SessionView>> = [
  ['SESSION', (session) => session.id],
  ['CREATED', (session) => session.created_at],
  ['LAST SEEN', (session) => cell(session.last_seen_at)],
  ['IP', (session) => cell(session.ip)],
  ['DEVICE', (session) => cell(session.device)],
  ['CLIENTS', (session) => cell(session.clients)],
];

export const usersSessions = apiCommand({
  summary: "list a person's browser sessions and the clients they signed in to",
  usage: 'users sessions <user> [--json]',
  positionals: { min: 1, max: 1 },
  async run({ positionals, client, io, json }) {
    const api = await client();
    const page = await api.get<Page<SessionView>>(`/users/${segment(await userIdOf(api, positionals[0] as string))}/sessions`);
    if (json) printJson(page, io);
    else printTable(page.items, SESSION_COLUMNS, io);
    return 0;
  },
});
