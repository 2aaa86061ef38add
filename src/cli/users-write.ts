/**
 * `portcullis users add|update|disable|enable|delete|set-password|reset-mfa|end-sessions|unlock`:
 * changing people through the admin API. Passwords come from the prompt (no echo) or stdin, never
 * from argv (args.ts refuses `--password`); `--password-hash-stdin` reads an argon2id PHC string
 * (from `portcullis hash-password`) instead.
 */
import { isArgon2idHash } from '../accounts/hashing.ts';
import { type ApiCall, apiCommand, segment } from './api-command.ts';
import { printFields, printJson } from './output.ts';
import { CommandError, UsageError } from './run.ts';
import { readSecretFromStdin } from './secret-input.ts';
import { type UserView, userIdOf } from './users.ts';

type AnyCall = Pick<ApiCall<Record<never, never>>, 'io' | 'usage'>;

/** `{password}` from the prompt/stdin, or `{password_hash}` with --password-hash-stdin. */
async function passwordFields(call: AnyCall, who: string, hashFromStdin: boolean | undefined): Promise<{ password: string } | { password_hash: string }> {
  const read = call.io.readSecret ?? readSecretFromStdin;
  if (hashFromStdin) {
    const hash = (await read(`argon2id PHC string for ${who}: `)).trim();
    if (!isArgon2idHash(hash))
      throw new UsageError('stdin is not an argon2id PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash); make one with portcullis hash-password', call.usage);
    return { password_hash: hash };
  }
  const password = await read(`new password for ${who}: `, { confirm: true });
  if (!password) throw new CommandError('empty password: nothing was changed');
  return { password };
}

const ADD_USAGE =
  'users add <username> [--email <e>] [--email-verified] [--name <n>] [--role <r>]… [--admin-role <r>]… [--must-change] [--password-hash-stdin] [--json]  (password from the prompt or stdin)';

export const usersAdd = apiCommand({
  summary: 'create a person; the password is read from the prompt or stdin (--admin-role admin: an administrator)',
  usage: ADD_USAGE,
  positionals: { min: 1, max: 1 },
  options: {
    email: { type: 'string' },
    'email-verified': { type: 'boolean' },
    name: { type: 'string' },
    role: { type: 'string', multiple: true },
    'admin-role': { type: 'string', multiple: true },
    'must-change': { type: 'boolean' },
    'password-hash-stdin': { type: 'boolean' },
  },
  async run(call) {
    const { values, positionals, io, json } = call;
    const username = positionals[0] as string;
    // The credential first: no one types a password for a command that cannot be sent.
    const api = await call.client();
    const body = {
      username,
      ...(values.email !== undefined ? { email: values.email } : {}),
      ...(values['email-verified'] ? { email_verified: true } : {}),
      ...(values.name !== undefined ? { name: values.name } : {}),
      ...(values.role ? { roles: values.role } : {}),
      ...(values['admin-role'] ? { admin_roles: values['admin-role'] } : {}),
      ...(values['must-change'] ? { must_change: true } : {}),
      ...(await passwordFields(call, username, values['password-hash-stdin'])),
    };
    const user = await api.post<UserView>('/users', body);
    if (json) printJson(user, io);
    else io.out(`created ${user.username} (id ${user.id})${user.admin_roles?.length ? `, admin roles: ${user.admin_roles.join(', ')}` : ''}`);
    return 0;
  },
});

const UPDATE_USAGE =
  'users update <user> [--email <e> | --no-email] [--email-verified | --email-unverified] [--name <n> | --no-name] [--role <r>… | --no-roles] [--admin-role <r>… | --no-admin-roles] [--json]';

export const usersUpdate = apiCommand({
  summary: "change a person's email, name, roles or admin roles (--role/--admin-role replace the list)",
  usage: UPDATE_USAGE,
  positionals: { min: 1, max: 1 },
  options: {
    email: { type: 'string' },
    'no-email': { type: 'boolean' },
    'email-verified': { type: 'boolean' },
    'email-unverified': { type: 'boolean' },
    name: { type: 'string' },
    'no-name': { type: 'boolean' },
    role: { type: 'string', multiple: true },
    'no-roles': { type: 'boolean' },
    'admin-role': { type: 'string', multiple: true },
    'no-admin-roles': { type: 'boolean' },
  },
  async run(call) {
    const { values, positionals, io, json } = call;
    const both = (a: unknown, b: unknown, names: string) => {
      if (a !== undefined && b) throw new UsageError(`${names} exclude each other`, UPDATE_USAGE);
    };
    both(values.email, values['no-email'], '--email and --no-email');
    both(values['email-verified'], values['email-unverified'], '--email-verified and --email-unverified');
    both(values.name, values['no-name'], '--name and --no-name');
    both(values.role, values['no-roles'], '--role and --no-roles');
    both(values['admin-role'], values['no-admin-roles'], '--admin-role and --no-admin-roles');
    // RFC 7396: null removes a field, an absent one stays as it is.
    const patch: Record<string, unknown> = {};
    if (values.email !== undefined) patch.email = values.email;
    if (values['no-email']) patch.email = null;
    if (values['email-verified']) patch.email_verified = true;
    if (values['email-unverified']) patch.email_verified = false;
    if (values.name !== undefined) patch.name = values.name;
    if (values['no-name']) patch.name = null;
    if (values.role) patch.roles = values.role;
    if (values['no-roles']) patch.roles = [];
    if (values['admin-role']) patch.admin_roles = values['admin-role'];
    if (values['no-admin-roles']) patch.admin_roles = [];
    if (Object.keys(patch).length === 0) throw new UsageError('nothing to change', UPDATE_USAGE);
    const api = await call.client();
    const user = await api.patch<UserView>(`/users/${segment(await userIdOf(api, positionals[0] as string))}`, patch);
    if (json) printJson(user, io);
    else printFields(user as unknown as Record<string, unknown>, io);
    return 0;
  },
});

/** A command on one person that answers 204 (or a view) and prints one line. */
function onePerson(
  name: string,
  summary: string,
  send: (api: Awaited<ReturnType<ApiCall<Record<never, never>>['client']>>, id: string) => Promise<unknown>,
  done: string,
) {
  return apiCommand({
    summary,
    usage: `users ${name} <user>`,
    positionals: { min: 1, max: 1 },
    async run({ positionals, client, io, json }) {
      const api = await client();
      const ref = positionals[0] as string;
      const result = await send(api, await userIdOf(api, ref));
      if (json) printJson(result ?? { ok: true }, io);
      else io.out(`${done} ${ref}`);
      return 0;
    },
  });
}

export const usersDisable = onePerson(
  'disable',
  'disable a person: no sign-in, their sessions and grants end (back-channel logout)',
  (api, id) => api.patch(`/users/${segment(id)}`, { disabled: true }),
  'disabled',
);
export const usersEnable = onePerson(
  'enable',
  'enable a disabled person again',
  (api, id) => api.patch(`/users/${segment(id)}`, { disabled: false }),
  'enabled',
);
export const usersResetMfa = onePerson(
  'reset-mfa',
  'remove every second factor of a person (the lost-phone case); they enrol again at /account',
  (api, id) => api.delete(`/users/${segment(id)}/mfa`),
  'removed every second factor of',
);
export const usersEndSessions = onePerson(
  'end-sessions',
  "end all of a person's sessions and grants",
  (api, id) => api.delete(`/users/${segment(id)}/sessions`),
  'ended every session of',
);
export const usersUnlock = onePerson(
  'unlock',
  "lift a person's lockout (throttling and hard lock)",
  (api, id) => api.post(`/users/${segment(id)}/unlock`),
  'unlocked',
);

const DELETE_USAGE = 'users delete <user> [--purge --yes]';

export const usersDelete = apiCommand({
  summary: 'delete a person (soft: they leave the lists, the record stays for the audit trail); --purge --yes erases their data',
  usage: DELETE_USAGE,
  positionals: { min: 1, max: 1 },
  options: { purge: { type: 'boolean' }, yes: { type: 'boolean' } },
  async run({ values, positionals, client, io }) {
    if (values.purge && !values.yes) throw new UsageError('--purge erases personal data for good: add --yes to confirm', DELETE_USAGE);
    const api = await client();
    const ref = positionals[0] as string;
    await api.delete(`/users/${segment(await userIdOf(api, ref))}${values.purge ? '?purge=true' : ''}`);
    io.out(values.purge ? `purged ${ref}: personal data erased, only the id stays in the audit trail` : `deleted ${ref}`);
    return 0;
  },
});

const SET_PASSWORD_USAGE = 'users set-password <user> [--must-change] [--password-hash-stdin]  (password from the prompt or stdin)';

export const usersSetPassword = apiCommand({
  summary:
    "set a person's password, read from the prompt or stdin (--must-change: the person chooses a new one at their next sign-in; must_change_password until then)",
  usage: SET_PASSWORD_USAGE,
  positionals: { min: 1, max: 1 },
  options: { 'must-change': { type: 'boolean' }, 'password-hash-stdin': { type: 'boolean' } },
  async run(call) {
    const { values, positionals, io } = call;
    const ref = positionals[0] as string;
    const api = await call.client();
    // The person is found before the password is asked for: a typo fails without a prompt.
    const id = await userIdOf(api, ref);
    const body = { ...(await passwordFields(call, ref, values['password-hash-stdin'])), ...(values['must-change'] ? { must_change: true } : {}) };
    await api.post(`/users/${segment(id)}/password`, body);
    io.out(`password set for ${ref}`);
    return 0;
  },
});
