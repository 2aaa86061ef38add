/**
 * `portcullis lockout unlock-user <username>` (and unlock-ip, lock-user, lock-ip, status): ask the
 * running server to show or change a lockout through the admin API. The server holds the counters
 * (in its memory without Redis), so the command talks to it with OPERATOR_TOKEN; with Redis, any
 * instance will do. `--url <base>` names the server when it is not at OPERATOR_URL
 * (default http://127.0.0.1:$PORT).
 */
import { ADMIN_PREFIX } from '../admin/paths.ts';
import { callOperator, OperatorCallError } from './operator-client.ts';
import { type CliContext, type Command, EXIT } from './run.ts';

function parseArgs(args: string[]): { values: string[]; url?: string } | undefined {
  const rest = [...args];
  const at = rest.indexOf('--url');
  if (at < 0) return { values: rest };
  const url = rest[at + 1];
  if (!url) return undefined;
  rest.splice(at, 2);
  return { values: rest, url };
}

async function call(io: CliContext, url: string | undefined, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const operator = io.config().operator;
  return callOperator(url ? { ...operator, url: url.replace(/\/$/, '') } : operator, method, `${ADMIN_PREFIX}/lockout${path}`, body);
}

async function guarded(io: CliContext, work: () => Promise<void>): Promise<number> {
  try {
    await work();
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof OperatorCallError)) throw error;
    io.err(`lockout: ${error.message}`);
    return EXIT.failed;
  }
}

function change(action: 'lock' | 'unlock', field: 'username' | 'ip', summary: string): Command {
  const usage = `lockout ${action}-${field === 'username' ? 'user' : 'ip'} <${field}> [--url <base>]`;
  return {
    summary,
    async run(args, io) {
      const parsed = parseArgs(args);
      const value = parsed?.values.length === 1 ? parsed.values[0] : undefined;
      if (!parsed || !value) {
        io.err(`usage: portcullis ${usage}`);
        return EXIT.usage;
      }
      return guarded(io, async () => {
        await call(io, parsed.url, 'POST', `/${action}`, { [field]: value });
        io.out(`${action}ed ${field} ${value}`);
      });
    },
  };
}

const status: Command = {
  summary: 'show the throttling and hard locks of a username, an IP address or both (JSON)',
  async run(args, io) {
    const parsed = parseArgs(args);
    const query = new URLSearchParams();
    const values = [...(parsed?.values ?? [])];
    while (values.length >= 2 && (values[0] === '--user' || values[0] === '--ip')) {
      const [flag, value] = values.splice(0, 2) as [string, string];
      query.set(flag === '--user' ? 'username' : 'ip', value);
    }
    if (!parsed || values.length > 0 || query.size === 0) {
      io.err('usage: portcullis lockout status [--user <username>] [--ip <address>] [--url <base>]');
      return EXIT.usage;
    }
    return guarded(io, async () => {
      io.out(JSON.stringify(await call(io, parsed.url, 'GET', `?${query}`), null, 2));
    });
  },
};

export const lockoutCommands = {
  'lockout status': status,
  'lockout unlock-user': change('unlock', 'username', 'end throttling and any hard lock for a username'),
  'lockout unlock-ip': change('unlock', 'ip', 'end throttling and any hard lock for an IP address'),
  'lockout lock-user': change('lock', 'username', 'hard-lock a username (423) until lockout unlock-user'),
  'lockout lock-ip': change('lock', 'ip', 'hard-lock an IP address (423) until lockout unlock-ip'),
} satisfies Record<string, Command>;
