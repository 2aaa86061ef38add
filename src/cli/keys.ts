/**
 * `portcullis keys list|rotate|revoke`: the signing-key operations, carried out by the running
 * server through the admin API (admin/keys.ts). The CLI never opens the store
 * itself: the embedded store belongs to the one process that has it open.
 */
import type { KeyView } from '../admin/keys.ts';
import { ADMIN_PREFIX } from '../admin/paths.ts';
import { SUPPORTED_ALGS } from '../config/algorithms.ts';
import { callOperator, OperatorCallError } from './operator-client.ts';
import { type CliContext, type Command, EXIT } from './run.ts';

type Output = Pick<CliContext, 'out'>;

const COLUMNS: Array<[string, (key: KeyView) => string]> = [
  ['KID', (key) => key.kid],
  ['ALG', (key) => key.alg],
  ['STATE', (key) => key.state],
  ['CREATED', (key) => key.createdAt],
  ['SIGNS FROM', (key) => key.activatesAt ?? (key.state === 'next' ? '' : key.createdAt)],
  ['STOPPED', (key) => key.deactivatedAt ?? ''],
  ['LEAVES JWKS', (key) => key.revokedAt ?? key.retiresAt ?? ''],
];

export function printKeys(keys: KeyView[], io: Output): void {
  const rows = [COLUMNS.map(([title]) => title), ...keys.map((key) => COLUMNS.map(([, cell]) => cell(key)))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  for (const row of rows)
    io.out(
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    );
}

async function run(io: CliContext, method: 'GET' | 'POST', path: string, body: unknown, json: boolean): Promise<number> {
  try {
    const result = (await callOperator(io.config().operator, method, path, body)) as { keys: KeyView[] };
    if (json) io.out(JSON.stringify(result, null, 2));
    else printKeys(result.keys, io);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof OperatorCallError)) throw error;
    io.err(`keys: ${error.message}`);
    return EXIT.failed;
  }
}

function usage(io: CliContext, line: string): number {
  io.err(`usage: portcullis ${line}`);
  return EXIT.usage;
}

export const keysList: Command = {
  summary: 'list signing keys with their state and dates (--json for machines)',
  async run(args, io) {
    if (args.some((arg) => arg !== '--json')) return usage(io, 'keys list [--json]');
    return run(io, 'GET', `${ADMIN_PREFIX}/keys`, undefined, args.includes('--json'));
  },
};

export const keysRotate: Command = {
  summary: 'start a rotation: publish a new key that signs after the JWKS cache lifetime (--now: at once)',
  async run(args, io) {
    const request: { alg?: string; immediate?: boolean } = {};
    let json = false;
    for (let i = 0; i < args.length; i += 1) {
      const arg = args[i];
      if (arg === '--now') request.immediate = true;
      else if (arg === '--json') json = true;
      else if (arg === '--alg' && SUPPORTED_ALGS.includes(args[i + 1] as never)) request.alg = args[++i];
      else return usage(io, `keys rotate [--alg ${SUPPORTED_ALGS.join('|')}] [--now] [--json]`);
    }
    return run(io, 'POST', `${ADMIN_PREFIX}/keys/rotate`, request, json);
  },
};

export const keysRevoke: Command = {
  summary: 'revoke a key at once (compromise): out of the JWKS, its tokens refused',
  async run(args, io) {
    const [kid, ...rest] = args;
    const json = rest.length === 1 && rest[0] === '--json';
    // A kid is base64url and may well begin with '-': only the flag itself is not a kid.
    if (!kid || kid === '--json' || (rest.length && !json)) return usage(io, 'keys revoke <kid> [--json]');
    const code = await run(io, 'POST', `${ADMIN_PREFIX}/keys/${encodeURIComponent(kid)}/revoke`, undefined, json);
    if (code === EXIT.ok && !json) {
      io.out(`revoked ${kid}. Caches may hold it for up to JWKS_MAX_AGE; see docs/keys.md § "After a key leak".`);
    }
    return code;
  },
};
