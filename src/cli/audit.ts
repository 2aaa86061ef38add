/**
 * `portcullis audit search|tail|verify` (issue 17): the stored audit trail through the admin API
 * (GET /admin/v1/audit, /audit/verify; scope audit:read). Never opens the store.
 * - search: one page, newest first (`--limit`, default 50; `--cursor` for the next page, which
 *   stderr names when there is one); a table, or `--json` for the server's answer.
 * - tail: polls `order=asc&after=<cursor>` every `--interval` (default 2s) and prints each new
 *   record as it comes, from the moment it starts (or `--since`); `--max <n>` stops after n.
 * - verify: exit 0 when the trail verifies, 1 when a record is altered or missing (each named).
 */
import { apiCommand } from './api-command.ts';
import { integerOption } from './args.ts';
import type { AdminClient } from './operator-client.ts';
import { type Column, cell, printJson, printTable } from './output.ts';
import { type CliContext, EXIT, UsageError } from './run.ts';

interface AuditItem {
  id: string;
  at: string;
  type: string;
  actor: { kind: string; id?: string } | null;
  subject: string | null;
  client_id: string | null;
  ip: string | null;
  outcome: string | null;
  detail: Record<string, unknown>;
  chain: string | null;
  seq: number | null;
}

interface AuditPage {
  items: AuditItem[];
  next_cursor: string | null;
}

interface VerifyResult {
  ok: boolean;
  checked: number;
  chains: number;
  problems: Array<{ chain: string; seq: number; id?: string; problem: 'altered' | 'missing' }>;
}

const FILTERS = {
  type: { type: 'string' },
  subject: { type: 'string' },
  actor: { type: 'string' },
  client: { type: 'string' },
  ip: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
} as const;

type FilterValues = { [K in keyof typeof FILTERS]?: string | undefined };

function filterQuery(values: FilterValues): URLSearchParams {
  const query = new URLSearchParams();
  for (const [option, parameter] of [
    ['type', 'type'],
    ['subject', 'subject'],
    ['actor', 'actor'],
    ['client', 'client_id'],
    ['ip', 'ip'],
    ['since', 'since'],
    ['until', 'until'],
  ] as const) {
    const value = values[option];
    if (value !== undefined) query.set(parameter, value);
  }
  return query;
}

const COLUMNS: Array<Column<AuditItem>> = [
  ['AT', (item) => item.at],
  ['TYPE', (item) => item.type],
  ['SUBJECT', (item) => cell(item.subject)],
  ['ACTOR', (item) => (item.actor ? [item.actor.kind, item.actor.id].filter(Boolean).join(':') : '')],
  ['CLIENT', (item) => cell(item.client_id)],
  ['IP', (item) => cell(item.ip)],
  ['OUTCOME', (item) => cell(item.outcome)],
  ['DETAIL', (item) => (Object.keys(item.detail ?? {}).length ? JSON.stringify(item.detail) : '')],
];

const line = (item: AuditItem) => COLUMNS.map(([, value]) => value(item) || '-').join('  ');

const SEARCH_USAGE =
  'audit search [--type <prefix>] [--subject <account id>] [--actor <id>] [--client <client id>] [--ip <address>] [--since <iso>] [--until <iso>] [--limit <n>] [--cursor <c>] [--json]';

export const auditSearch = apiCommand({
  summary: 'search the stored audit trail, newest first (filters: --type prefix, --subject, --actor, --client, --ip, --since, --until)',
  usage: SEARCH_USAGE,
  options: { ...FILTERS, limit: { type: 'string' }, cursor: { type: 'string' } },
  async run({ values, client, io, json }) {
    const query = filterQuery(values);
    query.set('limit', String(integerOption(values.limit, 'limit', 1, 100, SEARCH_USAGE) ?? 50));
    if (values.cursor) query.set('cursor', values.cursor);
    const page = await (await client()).get<AuditPage>(`/audit?${query}`);
    if (json) printJson(page, io);
    else printTable(page.items, COLUMNS, io);
    if (page.next_cursor && !json) io.err(`more: --cursor ${page.next_cursor}`);
    return 0;
  },
});

const TAIL_USAGE = 'audit tail [--interval <2s|500ms>] [--since <iso>] [--max <n>] [--type …] [--subject …] [--actor …] [--client …] [--ip …] [--json]';

function intervalMs(value: string | undefined): number {
  if (value === undefined) return 2000;
  const match = /^(\d+)(ms|s|m)?$/.exec(value);
  const ms = match ? Number(match[1]) * (match[2] === 'ms' ? 1 : match[2] === 'm' ? 60_000 : 1000) : Number.NaN;
  if (!(ms >= 100 && ms <= 3_600_000)) throw new UsageError('--interval must be from 100ms to 60m (e.g. 2s, 500ms)', TAIL_USAGE);
  return ms;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function follow(api: AdminClient, base: URLSearchParams, every: number, max: number | undefined, print: (item: AuditItem) => void): Promise<void> {
  let after: string | undefined;
  let printed = 0;
  for (;;) {
    const query = new URLSearchParams(base);
    query.set('order', 'asc');
    query.set('limit', '100');
    if (after) query.set('after', after);
    const page = await api.get<AuditPage>(`/audit?${query}`);
    for (const item of page.items) {
      print(item);
      printed += 1;
      if (max !== undefined && printed >= max) return;
    }
    after = page.next_cursor ?? after;
    // A full page means more are waiting: ask again at once.
    if (page.items.length < 100) await sleep(every);
  }
}

export const auditTail = apiCommand({
  summary: 'follow the stored audit trail: print records as they are written (polls every --interval)',
  usage: TAIL_USAGE,
  options: { ...FILTERS, interval: { type: 'string' }, max: { type: 'string' } },
  async run({ values, client, io, json }) {
    const every = intervalMs(values.interval);
    const max = integerOption(values.max, 'max', 1, 1_000_000, TAIL_USAGE);
    if (values.until !== undefined) throw new UsageError('tail follows new records; --until makes no sense here (use audit search)', TAIL_USAGE);
    const base = filterQuery({ ...values, since: values.since ?? new Date().toISOString() });
    const print = json ? (item: AuditItem) => io.out(JSON.stringify(item)) : (item: AuditItem) => io.out(line(item));
    await follow(await client(), base, every, max, print);
    return 0;
  },
});

function describe(result: VerifyResult, io: CliContext): void {
  if (result.ok) {
    io.out(`ok: ${result.checked} records in ${result.chains} chains verify`);
    return;
  }
  for (const problem of result.problems) {
    const what = problem.problem === 'altered' ? `record ${problem.id ?? '?'} was altered` : 'a record is missing';
    io.out(`chain ${problem.chain} seq ${problem.seq}: ${what}`);
  }
  io.err(`the audit trail does not verify: ${result.problems.length} chain(s) with a problem (${result.checked} records checked)`);
}

export const auditVerify = apiCommand({
  summary: 'verify the stored audit trail: exit 0 when intact, 1 naming the first altered or missing record of each chain',
  usage: 'audit verify [--json]',
  async run({ client, io, json }) {
    // A million records take tens of seconds to verify (docs/audit.md): an hour, not the usual 30 s.
    const result = await (await client()).get<VerifyResult>('/audit/verify', { timeoutMs: 60 * 60_000 });
    if (json) printJson(result, io);
    else describe(result, io);
    return result.ok ? EXIT.ok : EXIT.failed;
  },
});
