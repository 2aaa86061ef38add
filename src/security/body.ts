/**
 * Request bodies for our own routes: only urlencoded forms and JSON, at most 16 KiB, validated
 * against a zod schema before anything else sees them. A field that should be a string and
 * arrives as an object (`username[$ne]=`) fails here, never reaching a query.
 */
import type { Context } from 'koa';
import type { z } from 'zod';
import { lazy } from '../platform/lazy.ts';
import { AppError } from './errors.ts';

const LIMIT = '16kb';

/**
 * co-body, loaded with the first body that needs it (platform/lazy.ts): it brings its own copies of
 * type-is, mime-types and their 180 KB media-type table, raw-body, qs and iconv-lite, none of which
 * the token endpoints or an idle server use (oidc-provider reads its own bodies).
 */
export const loadCoBody = lazy(async () => (await import('co-body')).default);

/**
 * JSON when the request sends JSON, or when its Accept header prefers JSON to HTML. A browser's
 * Accept header starts with `text/html` (no parameters): HTML then wins whatever follows (the
 * highest quality, the most specific, listed first), so that case is answered from the header's
 * first characters; every other header goes through koa's content negotiation.
 */
export function wantsJson(ctx: Context): boolean {
  if (ctx.is('application/json') === 'application/json') return true;
  const accept = ctx.request.headers.accept;
  if (typeof accept === 'string' && BROWSER_ACCEPT.test(accept)) return false;
  return ctx.accepts('html', 'json') === 'json';
}

/** `text/html` as the whole first entry of an Accept header. */
const BROWSER_ACCEPT = /^\s*text\/html\s*(?:,|$)/i;

async function readRaw(ctx: Context): Promise<unknown> {
  if (ctx.is('application/x-www-form-urlencoded')) {
    return (await loadCoBody()).form(ctx.req, { limit: LIMIT, queryString: { depth: 2, parameterLimit: 50 } });
  }
  if (ctx.is('application/json')) {
    return (await loadCoBody()).json(ctx.req, { limit: LIMIT, strict: true });
  }
  throw new AppError(415, 'unsupported_media_type', 'send application/x-www-form-urlencoded or application/json');
}

export async function parseBody<S extends z.ZodType>(ctx: Context, schema: S): Promise<z.infer<S>> {
  let raw: unknown;
  try {
    raw = await readRaw(ctx);
  } catch (error) {
    if (error instanceof AppError) throw error;
    const status = (error as { status?: number }).status;
    if (status === 413) throw new AppError(413, 'request_too_large', `request bodies are limited to ${LIMIT}`);
    if (status === 415) throw new AppError(415, 'unsupported_media_type', 'unsupported content encoding');
    throw new AppError(400, 'invalid_request', 'the request body could not be parsed');
  }
  return validated(schema, raw, 'body');
}

/** The query string, held to a schema like a body: a repeated parameter is an array and fails. */
export function parseQuery<S extends z.ZodType>(ctx: Context, schema: S): z.infer<S> {
  return validated(schema, { ...ctx.query }, 'query');
}

function validated<S extends z.ZodType>(schema: S, raw: unknown, whole: string): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || whole;
    throw new AppError(400, 'invalid_request', `invalid or missing field: ${field}`);
  }
  return parsed.data;
}
