/**
 * The form of a request to the token, introspection or revocation endpoint, as the guard in front
 * of them reads it: decoded and parsed exactly as oidc-provider will (querystring, the request's
 * charset, else UTF-8), so the client the guard counts is the one oidc-provider authenticates.
 * The bytes go back on the stream for oidc-provider (peek-body.ts). A compressed body is inflated
 * here and handed on as `req.body`, which oidc-provider accepts in place of the stream.
 */
import type { IncomingMessage } from 'node:http';
import { type ParsedUrlQuery, parse } from 'node:querystring';
import type { Context } from 'koa';
import { loadCoBody } from './body.ts';
import { peekBody } from './peek-body.ts';

export type Form = ParsedUrlQuery;

/** oidc-provider's own limit (lib/shared/selective_body.js). */
const BODY_LIMIT = 56 * 1024;

type WithBody = IncomingMessage & { body?: string };

/** Whether the body is compressed (a `Content-Encoding` other than identity): only co-body inflates it. */
export function isEncoded(ctx: Context): boolean {
  const encoding = ctx.get('content-encoding').toLowerCase();
  return encoding !== '' && encoding !== 'identity';
}

/** The form, `{}` for another content type, `undefined` for a body that cannot be read. */
export async function readForm(ctx: Context): Promise<Form | undefined> {
  if (!ctx.is('application/x-www-form-urlencoded')) return {};
  const req = ctx.req as WithBody;
  try {
    if (isEncoded(ctx)) {
      const text = await (await loadCoBody()).text(req, { limit: BODY_LIMIT });
      req.body = text;
      return parse(text);
    }
    const bytes = await peekBody(req, BODY_LIMIT);
    if (bytes === undefined) return {};
    const charset = ctx.request.charset;
    const text = charset ? new TextDecoder(charset).decode(bytes) : bytes.toString();
    // Ended before the bytes could go back (cannot happen for a body that arrived whole): hand them on.
    if (!req.readable) req.body = text;
    return parse(text);
  } catch {
    // The rest of the body is never read: without this the connection stays busy with it, and a
    // graceful shutdown waits for the client to give up.
    ctx.set('Connection', 'close');
    return undefined;
  }
}
