/**
 * `portcullis resources list|show|add|update|delete`: the APIs (RFC 8707 resource servers) that
 * accept Portcullis access tokens, through the admin API. Fields are those of the bootstrap file
 * (identifier, scopes, accessTokenFormat, accessTokenTTL, signingAlg, introspectors); the admin
 * API itself is listed but cannot be changed or deleted.
 */
import { apiCommand, segment } from './api-command.ts';
import { integerOption } from './args.ts';
import { readMetadata } from './metadata.ts';
import { type Column, cell, printFields, printJson, printTable } from './output.ts';
import { UsageError } from './run.ts';
import { listPages } from './users.ts';

type ResourceView = Record<string, unknown> & { identifier: string };

const COLUMNS: Array<Column<ResourceView>> = [
  ['IDENTIFIER', (resource) => resource.identifier],
  ['SCOPES', (resource) => cell(resource.scopes)],
  ['FORMAT', (resource) => cell(resource.accessTokenFormat)],
  ['TTL', (resource) => cell(resource.accessTokenTTL)],
  ['INTROSPECTORS', (resource) => cell(resource.introspectors)],
];

const FIELDS = {
  scope: { type: 'string', multiple: true },
  format: { type: 'string' },
  ttl: { type: 'string' },
  'signing-alg': { type: 'string' },
  introspector: { type: 'string', multiple: true },
  'metadata-file': { type: 'string' },
} as const;

const FIELD_HELP =
  '[--scope <s>]… [--format jwt|opaque] [--ttl <seconds>] [--signing-alg <alg>] [--introspector <client_id>]… [--metadata-file <path>|-] [--json]';

async function fieldsFrom(values: { [K in keyof typeof FIELDS]?: string | string[] }, usage: string): Promise<Record<string, unknown>> {
  const fields = await readMetadata(values['metadata-file'] as string | undefined, usage);
  if (values.scope) fields.scopes = values.scope;
  if (values.format !== undefined) {
    if (values.format !== 'jwt' && values.format !== 'opaque') throw new UsageError('--format is jwt or opaque', usage);
    fields.accessTokenFormat = values.format;
  }
  const ttl = integerOption(values.ttl as string | undefined, 'ttl', 1, 86400, usage);
  if (ttl !== undefined) fields.accessTokenTTL = ttl;
  if (values['signing-alg'] !== undefined) fields.signingAlg = values['signing-alg'];
  if (values.introspector) fields.introspectors = values.introspector;
  return fields;
}

export const resourcesList = apiCommand({
  summary: 'list the APIs that accept our access tokens',
  usage: 'resources list [--json]',
  async run({ client, io, json }) {
    // Every page: a list longer than one page (50) must not look complete when it is not.
    const page = await listPages<ResourceView>(await client(), '/resources', new URLSearchParams(), {}, io);
    if (json) printJson(page, io);
    else printTable(page.items, COLUMNS, io);
    return 0;
  },
});

export const resourcesShow = apiCommand({
  summary: 'show one API by its identifier',
  usage: 'resources show <identifier> [--json]',
  positionals: { min: 1, max: 1 },
  async run({ positionals, client, io, json }) {
    const resource = await (await client()).get<ResourceView>(`/resources/${segment(positionals[0] as string)}`);
    if (json) printJson(resource, io);
    else printFields(resource, io);
    return 0;
  },
});

const ADD_USAGE = `resources add <identifier> ${FIELD_HELP}`;

export const resourcesAdd = apiCommand({
  summary: 'register an API (resource indicator, RFC 8707) with its scopes and token format',
  usage: ADD_USAGE,
  positionals: { min: 1, max: 1 },
  options: FIELDS,
  async run({ values, positionals, client, io, json }) {
    const body = { ...(await fieldsFrom(values, ADD_USAGE)), identifier: positionals[0] };
    const resource = await (await client()).post<ResourceView>('/resources', body);
    if (json) printJson(resource, io);
    else io.out(`created resource ${resource.identifier}`);
    return 0;
  },
});

const UPDATE_USAGE = `resources update <identifier> ${FIELD_HELP}`;

export const resourcesUpdate = apiCommand({
  summary: "change an API's scopes, token format or lifetime (--scope replaces the list)",
  usage: UPDATE_USAGE,
  positionals: { min: 1, max: 1 },
  options: FIELDS,
  async run({ values, positionals, client, io, json }) {
    const patch = await fieldsFrom(values, UPDATE_USAGE);
    if (Object.keys(patch).length === 0) throw new UsageError('nothing to change', UPDATE_USAGE);
    const resource = await (await client()).patch<ResourceView>(`/resources/${segment(positionals[0] as string)}`, patch);
    if (json) printJson(resource, io);
    else printFields(resource, io);
    return 0;
  },
});

export const resourcesDelete = apiCommand({
  summary: 'delete an API: tokens for it are no longer issued',
  usage: 'resources delete <identifier>',
  positionals: { min: 1, max: 1 },
  async run({ positionals, client, io }) {
    await (await client()).delete(`/resources/${segment(positionals[0] as string)}`);
    io.out(`deleted resource ${positionals[0]}`);
    return 0;
  },
});
