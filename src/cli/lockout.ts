/**
 * `portcullis lockout unlock-user <username>` (and unlock-ip, lock-user, lock-ip, status): ask the
 * running server to show or change a lockout through the admin API. The server holds the counters
 * (in its memory without Redis), so the command talks to it; with Redis, any instance will do.
 * `--url <base>` names the server when it is not at OPERATOR_URL (default http://127.0.0.1:$PORT).
 */
import { apiCommand } from './api-command.ts';
import { printJson } from './output.ts';
import { type Command, UsageError } from './run.ts';

function change(action: 'lock' | 'unlock', field: 'username' | 'ip', summary: string): Command {
  return apiCommand({
    summary,
    usage: `lockout ${action}-${field === 'username' ? 'user' : 'ip'} <${field}> [--url <base>]`,
    positionals: { min: 1, max: 1 },
    async run({ positionals, client, io }) {
      const value = positionals[0] as string;
      await (await client()).post(`/lockout/${action}`, { [field]: value });
      io.out(`${action}ed ${field} ${value}`);
      return 0;
    },
  });
}

const STATUS_USAGE = 'lockout status [--user <username>] [--ip <address>] [--url <base>]';

const status: Command = apiCommand({
  summary: 'show the throttling and hard locks of a username, an IP address or both (JSON)',
  usage: STATUS_USAGE,
  options: { user: { type: 'string' }, ip: { type: 'string' } },
  async run({ values, client, io }) {
    const query = new URLSearchParams();
    if (values.user !== undefined) query.set('username', values.user);
    if (values.ip !== undefined) query.set('ip', values.ip);
    if (query.size === 0) throw new UsageError('name a --user, an --ip or both', STATUS_USAGE);
    printJson(await (await client()).get(`/lockout?${query}`), io);
    return 0;
  },
});

export const lockoutCommands = {
  'lockout status': status,
  'lockout unlock-user': change('unlock', 'username', 'end throttling and any hard lock for a username'),
  'lockout unlock-ip': change('unlock', 'ip', 'end throttling and any hard lock for an IP address'),
  'lockout lock-user': change('lock', 'username', 'hard-lock a username (423) until lockout unlock-user'),
  'lockout lock-ip': change('lock', 'ip', 'hard-lock an IP address (423) until lockout unlock-ip'),
} satisfies Record<string, Command>;
