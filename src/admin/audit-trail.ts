/**
 * The stored audit trail in the admin API (issue 17), scope `audit:read`:
 *   GET /audit          filters type (prefix), subject, actor, client_id, ip, since, until;
 *                       newest first, `{items, next_cursor}`; `order=asc&after=<cursor>` follows
 *                       new records (`audit tail`): in that order next_cursor always names the
 *                       last record served (or echoes `after`), so a poller never loses its place.
 *                       `Accept: application/x-ndjson` streams every match, one record a line.
 *   GET /audit/verify   the verify result (audit/verify.ts).
 * Bad filter values are 400 invalid_request naming the field; a cursor this server did not give
 * out is 400 invalid_cursor.
 */
import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import type { Context } from 'koa';
import { z } from 'zod';
import type { VerifyResult } from '../audit/verify.ts';
import { parseQuery } from '../security/body.ts';
import { AppError } from '../security/errors.ts';
import { AuditCursorError, type AuditFilter, type AuditHit, type AuditRecord, type AuditRepository } from '../storage/port.ts';
import { pageQuery } from './pagination.ts';
import { route } from './routes.ts';

export interface AuditRouteDeps {
  trail: { repo: Pick<AuditRepository, 'query'>; verify(): Promise<VerifyResult> };
}

const NDJSON = 'application/x-ndjson';
/** Lines per chunk of the NDJSON body: fewer, larger writes, and still a few KiB each. */
const LINES_PER_CHUNK = 100;

const id = z.string().min(1).max(256);
/** ISO 8601 with a time and a zone (what the items' `at` looks like). */
const instant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/)
  .refine((value) => !Number.isNaN(Date.parse(value)))
  .transform((value) => new Date(value));

const auditQuery = z
  .object({
    type: z
      .string()
      .max(128)
      .regex(/^[A-Za-z0-9._:-]*$/)
      .optional(),
    subject: id.optional(),
    actor: id.optional(),
    client_id: id.optional(),
    ip: z
      .string()
      .max(64)
      .refine((value) => isIP(value) !== 0)
      .optional(),
    since: instant.optional(),
    until: instant.optional(),
    order: z.enum(['asc', 'desc']).default('desc'),
    after: pageQuery.cursor,
    ...pageQuery,
  })
  .strict()
  .refine((query) => !(query.after && query.cursor), { path: ['after'], message: 'after and cursor are the same thing; send one' });

export interface AuditItem {
  id: string;
  at: string;
  type: string;
  actor: AuditRecord['actor'] | null;
  subject: string | null;
  client_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  outcome: string | null;
  detail: Record<string, unknown>;
  chain: string | null;
  seq: number | null;
  mac: string | null;
}

export function auditItem(record: AuditRecord): AuditItem {
  return {
    id: record.id,
    at: record.at.toISOString(),
    type: record.type,
    actor: record.actor ?? null,
    subject: record.accountId ?? null,
    client_id: record.clientId ?? null,
    ip: record.ip ?? null,
    user_agent: record.userAgent ?? null,
    request_id: record.requestId ?? null,
    outcome: record.outcome ?? null,
    detail: record.detail ?? {},
    chain: record.chain ?? null,
    seq: record.seq ?? null,
    mac: record.mac ?? null,
  };
}

function filterOf(query: z.infer<typeof auditQuery>): AuditFilter {
  return {
    typePrefix: query.type || undefined,
    accountId: query.subject,
    actorId: query.actor,
    clientId: query.client_id,
    ip: query.ip,
    since: query.since,
    until: query.until,
    order: query.order,
    after: query.after ?? query.cursor,
  };
}

const cursorRefused = () => new AppError(400, 'invalid_cursor', 'the cursor is not one this server gave out');

/** Pulls the first hit before answering, so a bad cursor is a 400 and not a broken stream. */
async function opened(hits: AsyncIterable<AuditHit>): Promise<{ first: IteratorResult<AuditHit>; rest: AsyncIterator<AuditHit> }> {
  const iterator = hits[Symbol.asyncIterator]();
  try {
    return { first: await iterator.next(), rest: iterator };
  } catch (error) {
    if (error instanceof AuditCursorError) throw cursorRefused();
    throw error;
  }
}

async function* ndjson(first: IteratorResult<AuditHit>, rest: AsyncIterator<AuditHit>): AsyncGenerator<string> {
  let chunk = '';
  let lines = 0;
  try {
    for (let next = first; !next.done; next = await rest.next()) {
      chunk += `${JSON.stringify(auditItem(next.value.record))}\n`;
      lines += 1;
      if (lines === LINES_PER_CHUNK) {
        yield chunk;
        chunk = '';
        lines = 0;
      }
    }
    if (chunk) yield chunk;
  } finally {
    // A client that goes away ends the read too (the store's files or cursor are closed).
    await rest.return?.();
  }
}

export function auditRoutes(deps: AuditRouteDeps) {
  async function list(ctx: Context) {
    const query = parseQuery(ctx, auditQuery);
    const filter = filterOf(query);
    const { first, rest } = await opened(deps.trail.repo.query(filter));
    if (ctx.accepts('application/json', NDJSON) === NDJSON) {
      ctx.type = NDJSON;
      ctx.body = Readable.from(ndjson(first, rest), { objectMode: false });
      return;
    }
    const hits: AuditHit[] = [];
    try {
      for (let next = first; !next.done && hits.length <= query.limit; ) {
        hits.push(next.value);
        if (hits.length <= query.limit) next = await rest.next();
      }
    } finally {
      await rest.return?.();
    }
    const served = hits.slice(0, query.limit);
    const last = served.at(-1);
    const more = hits.length > query.limit;
    const next_cursor = query.order === 'asc' ? (last?.cursor ?? filter.after ?? null) : more && last ? last.cursor : null;
    ctx.body = { items: served.map((hit) => auditItem(hit.record)), next_cursor };
  }

  async function verify(ctx: Context) {
    parseQuery(ctx, z.object({}).strict());
    ctx.body = await deps.trail.verify();
  }

  return [route('get', '/audit', 'audit:read', list), route('get', '/audit/verify', 'audit:read', verify)];
}
