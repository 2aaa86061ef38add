/**
 * `portcullis lockout unlock-user <username>` (and unlock-ip, lock-user, lock-ip): ask the
 * running server to change a lockout. The server holds the counters (in its memory without
 * Redis), so the command talks to its operator endpoint with LOCKOUT_OPERATOR_TOKEN; with
 * Redis, any instance will do. `--url <base>` names the server when it is not on
 * http://127.0.0.1:$PORT.
 */
import { OPERATOR_PATH } from '../lockout/operator-router.ts';
import { type Command, EXIT } from './run.ts';

const TIMEOUT_MS = 10_000;

function parseArgs(args: string[]): { value?: string; url?: string } | undefined {
  const rest = [...args];
  let url: string | undefined;
  const at = rest.indexOf('--url');
  if (at >= 0) {
    url = rest[at + 1];
    if (!url) return undefined;
    rest.splice(at, 2);
  }
  if (rest.length !== 1) return undefined;
  return { value: rest[0], ...(url ? { url } : {}) };
}

function operatorCommand(action: 'lock' | 'unlock', field: 'username' | 'ip', summary: string): Command {
  const usage = `lockout ${action}-${field === 'username' ? 'user' : 'ip'} <${field}> [--url <base>]`;
  return {
    summary,
    async run(args, { config, out, err }) {
      const parsed = parseArgs(args);
      if (!parsed?.value) {
        err(`usage: portcullis ${usage}`);
        return EXIT.usage;
      }
      const settings = config();
      const token = settings.lockout.operatorToken;
      if (!token) {
        err('LOCKOUT_OPERATOR_TOKEN is not set: the server has no operator endpoint (set it for the server and for this command)');
        return EXIT.failed;
      }
      const base = parsed.url ?? `http://127.0.0.1:${settings.port}`;
      let response: Response;
      try {
        response = await fetch(new URL(`${OPERATOR_PATH}/${action}`, base), {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ [field]: parsed.value }),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (error) {
        err(`cannot reach the server at ${base} (${error instanceof Error ? error.message : String(error)}); is it running? pass --url`);
        return EXIT.failed;
      }
      const body = (await response.json().catch(() => ({}))) as { error?: string; error_description?: string };
      if (!response.ok) {
        err(`the server refused (${response.status} ${body.error ?? ''}): ${body.error_description ?? ''}`);
        return EXIT.failed;
      }
      out(`${action}ed ${field} ${parsed.value}`);
      return EXIT.ok;
    },
  };
}

export const lockoutCommands = {
  'lockout unlock-user': operatorCommand('unlock', 'username', 'end throttling and any hard lock for a username'),
  'lockout unlock-ip': operatorCommand('unlock', 'ip', 'end throttling and any hard lock for an IP address'),
  'lockout lock-user': operatorCommand('lock', 'username', 'hard-lock a username (423) until lockout unlock-user'),
  'lockout lock-ip': operatorCommand('lock', 'ip', 'hard-lock an IP address (423) until lockout unlock-ip'),
} satisfies Record<string, Command>;
