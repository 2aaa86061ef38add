/**
 * Opens the per-request context (platform/request-context.ts) for every request: a request id
 * (the caller's X-Request-Id when well-formed, else a new one), the client IP and user agent.
 */
import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import { runInRequest } from '../platform/request-context.ts';
import type { ClientIpResolver } from './client-ip.ts';

const INCOMING_ID = /^[A-Za-z0-9._-]{8,128}$/;

/** A header as one string, as Koa's `ctx.get` gives it ('' when absent), without its lookup. */
const header = (value: string | string[] | undefined): string => (typeof value === 'string' ? value : (value?.join(',') ?? ''));

export function requestContext(resolveIp: ClientIpResolver) {
  return function withRequestContext(ctx: Context, next: Next): Promise<void> {
    const headers = ctx.req.headers;
    const incoming = header(headers['x-request-id']);
    const requestId = INCOMING_ID.test(incoming) ? incoming : randomUUID();
    const context = { requestId, ip: resolveIp(ctx.req), userAgent: header(headers['user-agent']) };
    ctx.state.requestId = requestId;
    ctx.state.clientIp = context.ip;
    ctx.res.setHeader('X-Request-Id', requestId);
    return runInRequest(context, next);
  };
}
