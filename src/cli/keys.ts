/**
 * `portcullis keys list|rotate|revoke`: the signing-key operations, carried out by the running
 * server through the admin API (admin/keys.ts). The CLI never opens the store
 * itself: the embedded store belongs to the one process that has it open.
 */
import type { KeyView } from '../admin/keys.ts';
import { SUPPORTED_ALGS } from '../config/algorithms.ts';
import { type ApiCall, apiCommand, segment } from './api-command.ts';
import { type Column, printJson, printTable } from './output.ts';
import type { CliContext, Command } from './run.ts';
import { UsageError } from './run.ts';

const COLUMNS: Array<Column<KeyView>> = [
  ['KID', (key) => key.kid],
  ['ALG', (key) => key.alg],
  ['STATE', (key) => key.state],
  ['CREATED', (key) => key.createdAt],
  ['SIGNS FROM', (key) => key.activatesAt ?? (key.state === 'next' ? '' : key.createdAt)],
  ['STOPPED', (key) => key.deactivatedAt ?? ''],
  ['LEAVES JWKS', (key) => key.revokedAt ?? key.retiresAt ?? ''],
];

export function printKeys(keys: KeyView[], io: Pick<CliContext, 'out'>): void {
  printTable(keys, COLUMNS, io);
}

async function show(call: ApiCall<Record<never, never>>, result: Promise<{ keys: KeyView[] }>): Promise<void> {
  const body = await result;
  if (call.json) printJson(body, call.io);
  else printKeys(body.keys, call.io);
}

export const keysList: Command = apiCommand({
  summary: 'list signing keys with their state and dates (--json for machines)',
  usage: 'keys list [--json]',
  async run(call) {
    await show(call, (await call.client()).get('/keys'));
    return 0;
  },
});

const ROTATE_USAGE = `keys rotate [--alg ${SUPPORTED_ALGS.join('|')}] [--now] [--json]`;

export const keysRotate: Command = apiCommand({
  summary: 'start a rotation: publish a new key that signs after the JWKS cache lifetime (--now: at once)',
  usage: ROTATE_USAGE,
  options: { alg: { type: 'string' }, now: { type: 'boolean' } },
  async run(call) {
    const { alg, now } = call.values;
    if (alg !== undefined && !SUPPORTED_ALGS.includes(alg as never)) throw new UsageError(`--alg must be one of ${SUPPORTED_ALGS.join(', ')}`, ROTATE_USAGE);
    const request = { ...(alg ? { alg } : {}), ...(now ? { immediate: true } : {}) };
    await show(call, (await call.client()).post('/keys/rotate', request));
    return 0;
  },
});

const revoke = apiCommand({
  summary: 'revoke a key at once (compromise): out of the JWKS, its tokens refused',
  usage: 'keys revoke <kid> [--json]',
  positionals: { min: 1, max: 1 },
  async run(call) {
    const kid = call.positionals[0] as string;
    await show(call, (await call.client()).post(`/keys/${segment(kid)}/revoke`));
    if (!call.json) call.io.out(`revoked ${kid}. Caches may hold it for up to JWKS_MAX_AGE; see docs/keys.md § "After a key leak".`);
    return 0;
  },
});

export const keysRevoke: Command = {
  summary: revoke.summary,
  // A kid is base64url and may well begin with '-': the first word is the kid unless it is one of
  // our long options, and goes after `--` so parseArgs takes it as it is.
  run(args, io) {
    const [first, ...rest] = args;
    const isOption = first === undefined || /^--(json|url|token-file)(=|$)/.test(first);
    return revoke.run(isOption ? args : [...rest, '--', first], io);
  },
};
