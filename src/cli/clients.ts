/**
 * `portcullis clients add|list|show|update|rotate-secret|delete`: OAuth clients through the admin
 * API. The server generates every secret (≥ 256 bits) and shows it once, in the add and
 * rotate-secret answers: the CLI prints it on stdout and keeps no copy. A secret is never an
 * input (args.ts refuses `--client-secret`; the server refuses one in the metadata).
 */
import { apiCommand, segment } from './api-command.ts';
import { integerOption } from './args.ts';
import { readMetadata } from './metadata.ts';
import { type Column, cell, printFields, printJson, printTable } from './output.ts';
import { UsageError } from './run.ts';
import { listPages, PAGING } from './users.ts';

type ClientView = Record<string, unknown> & { client_id: string };

const COLUMNS: Array<Column<ClientView>> = [
  ['CLIENT ID', (client) => client.client_id],
  ['NAME', (client) => cell(client.client_name)],
  ['AUTH METHOD', (client) => cell(client.token_endpoint_auth_method)],
  ['GRANT TYPES', (client) => cell(client.grant_types)],
  ['FIRST PARTY', (client) => (client.first_party ? 'yes' : '')],
  ['ADMIN SCOPES', (client) => cell(client.admin_scopes)],
];

const METADATA_FLAGS = {
  name: { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  'post-logout-redirect-uri': { type: 'string', multiple: true },
  'grant-type': { type: 'string', multiple: true },
  'response-type': { type: 'string', multiple: true },
  'auth-method': { type: 'string' },
  'application-type': { type: 'string' },
  scope: { type: 'string' },
  'first-party': { type: 'boolean' },
  'third-party': { type: 'boolean' },
  'admin-scope': { type: 'string', multiple: true },
  'no-admin-scopes': { type: 'boolean' },
  'metadata-file': { type: 'string' },
} as const;

const FLAG_HELP =
  '[--name <n>] [--redirect-uri <u>]… [--post-logout-redirect-uri <u>]… [--grant-type <g>]… [--response-type <r>]… [--auth-method <m>] [--application-type web|native] [--scope "<s> <s>"] [--first-party | --third-party] [--admin-scope <s>]… [--no-admin-scopes] [--metadata-file <path>|-] [--json]';

type MetadataValues = {
  [K in keyof typeof METADATA_FLAGS]?: (typeof METADATA_FLAGS)[K] extends { multiple: true }
    ? string[]
    : (typeof METADATA_FLAGS)[K] extends { type: 'boolean' }
      ? boolean
      : string;
};

async function metadataFrom(values: MetadataValues, usage: string): Promise<Record<string, unknown>> {
  if (values['first-party'] && values['third-party']) throw new UsageError('--first-party and --third-party exclude each other', usage);
  if (values['admin-scope'] && values['no-admin-scopes']) throw new UsageError('--admin-scope and --no-admin-scopes exclude each other', usage);
  const metadata = await readMetadata(values['metadata-file'], usage);
  const set = (field: string, value: unknown) => {
    if (value !== undefined) metadata[field] = value;
  };
  set('client_name', values.name);
  set('redirect_uris', values['redirect-uri']);
  set('post_logout_redirect_uris', values['post-logout-redirect-uri']);
  set('grant_types', values['grant-type']);
  set('response_types', values['response-type']);
  set('token_endpoint_auth_method', values['auth-method']);
  set('application_type', values['application-type']);
  set('scope', values.scope);
  if (values['first-party']) metadata.first_party = true;
  if (values['third-party']) metadata.first_party = false;
  set('admin_scopes', values['admin-scope']);
  if (values['no-admin-scopes']) metadata.admin_scopes = [];
  return metadata;
}

/** The once-only secret, said plainly: it cannot be shown again. */
function printSecret(answer: { client_id: string; client_secret?: unknown; client_secret_expires_at?: unknown }, out: (line: string) => void): void {
  if (typeof answer.client_secret !== 'string') return;
  out(`client_secret: ${answer.client_secret}`);
  out('(shown once: store it now in the client’s secret store; the server keeps only a sealed copy and cannot show it again)');
}

/**
 * A client whose grant types include no browser flow (authorization_code, implicit) has no use
 * for redirects, but the registry, like RFC 7591, defaults response_types to ["code"] and then
 * insists on redirect_uris. A machine client must say "none" to both; the flags cannot say an
 * empty list, so `clients add --grant-type client_credentials` says it for them, unless the
 * caller set either field.
 */
function withoutBrowserFlow(metadata: Record<string, unknown>): void {
  const grants = metadata.grant_types;
  if (!Array.isArray(grants) || grants.some((grant) => grant === 'authorization_code' || grant === 'implicit')) return;
  metadata.response_types ??= [];
  metadata.redirect_uris ??= [];
}

const ADD_USAGE = `clients add [--id <client_id>] ${FLAG_HELP}`;

export const clientsAdd = apiCommand({
  summary: 'register a client (RFC 7591 metadata from flags or --metadata-file); a confidential one gets a generated secret, shown once',
  usage: ADD_USAGE,
  options: { id: { type: 'string' }, ...METADATA_FLAGS },
  async run({ values, client, io, json }) {
    const metadata = await metadataFrom(values, ADD_USAGE);
    if (values.id !== undefined) metadata.client_id = values.id;
    withoutBrowserFlow(metadata);
    const created = await (await client()).post<ClientView>('/clients', metadata);
    if (json) printJson(created, io);
    else {
      io.out(`created client ${created.client_id}`);
      printSecret(created, io.out);
    }
    return 0;
  },
});

const LIST_USAGE = 'clients list [--limit <n>] [--cursor <c>] [--json]';

export const clientsList = apiCommand({
  summary: 'list registered clients (internal ones are not listed)',
  usage: LIST_USAGE,
  options: { ...PAGING },
  async run({ values, client, io, json }) {
    const limit = integerOption(values.limit, 'limit', 1, 100, LIST_USAGE);
    const page = await listPages<ClientView>(await client(), '/clients', new URLSearchParams(), { limit, cursor: values.cursor }, io);
    if (json) printJson(page, io);
    else printTable(page.items, COLUMNS, io);
    return 0;
  },
});

export const clientsShow = apiCommand({
  summary: "show a client's metadata (never its secret)",
  usage: 'clients show <client_id> [--json]',
  positionals: { min: 1, max: 1 },
  async run({ positionals, client, io, json }) {
    const view = await (await client()).get<ClientView>(`/clients/${segment(positionals[0] as string)}`);
    if (json) printJson(view, io);
    else printFields(view, io);
    return 0;
  },
});

const UPDATE_USAGE = `clients update <client_id> ${FLAG_HELP}`;

export const clientsUpdate = apiCommand({
  summary: "change a client's metadata (merge: only the fields given change); a move to a secret-based method prints the new secret once",
  usage: UPDATE_USAGE,
  positionals: { min: 1, max: 1 },
  options: { ...METADATA_FLAGS },
  async run({ values, positionals, client, io, json }) {
    const patch = await metadataFrom(values, UPDATE_USAGE);
    if (Object.keys(patch).length === 0) throw new UsageError('nothing to change', UPDATE_USAGE);
    const answer = await (await client()).patch<ClientView>(`/clients/${segment(positionals[0] as string)}`, patch);
    if (json) printJson(answer, io);
    else {
      // Moving to a secret-based method makes the server issue a secret in this answer, once.
      const { client_secret: _secret, client_secret_expires_at: _expires, ...view } = answer;
      printFields(view, io);
      printSecret(answer, io.out);
    }
    return 0;
  },
});

export const clientsRotateSecret = apiCommand({
  summary: "replace a client's secret at once (the old one stops working); the new one is shown once",
  usage: 'clients rotate-secret <client_id> [--json]',
  positionals: { min: 1, max: 1 },
  async run({ positionals, client, io, json }) {
    const answer = await (await client()).post<ClientView>(`/clients/${segment(positionals[0] as string)}/secret`);
    if (json) printJson(answer, io);
    else {
      io.out(`new secret for ${answer.client_id}; the old one no longer works`);
      printSecret(answer, io.out);
    }
    return 0;
  },
});

const DELETE_USAGE = 'clients delete <client_id> [--purge --yes]';

export const clientsDelete = apiCommand({
  summary: 'delete a client: its tokens and grants stop working; its client_id stays reserved unless --purge --yes frees it',
  usage: DELETE_USAGE,
  positionals: { min: 1, max: 1 },
  options: { purge: { type: 'boolean' }, yes: { type: 'boolean' } },
  async run({ values, positionals, client, io }) {
    // A freed id can be registered again by anyone with clients:write, as a different client.
    if (values.purge && !values.yes) throw new UsageError('--purge frees the client_id for a new, different client: add --yes to confirm', DELETE_USAGE);
    const id = positionals[0] as string;
    await (await client()).delete(`/clients/${segment(id)}${values.purge ? '?purge=true' : ''}`);
    io.out(values.purge ? `purged client ${id}: its client_id is free again` : `deleted client ${id} (its client_id stays reserved; --purge --yes frees it)`);
    return 0;
  },
});
