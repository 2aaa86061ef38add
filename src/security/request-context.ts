/**
 * Per-request facts (request id, client IP) kept in AsyncLocalStorage so that events emitted deep
 * inside oidc-provider can still be tied to the request that caused them.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { ClientIpResolver } from './client-ip.ts';

export interface RequestContext {
  requestId: string;
  ip: string;
  /** As sent (possibly empty); sessions/activity.ts records it with each session use. */
  userAgent: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}

const INCOMING_ID = /^[A-Za-z0-9._-]{8,128}$/;

export function requestContext(resolveIp: ClientIpResolver) {
  return async function withRequestContext(ctx: Context, next: Next): Promise<void> {
    const incoming = ctx.get('x-request-id');
    const requestId = INCOMING_ID.test(incoming) ? incoming : randomUUID();
    const context = { requestId, ip: resolveIp(ctx.req), userAgent: ctx.get('user-agent') };
    ctx.state.requestId = requestId;
    ctx.state.clientIp = context.ip;
    ctx.set('X-Request-Id', requestId);
    await storage.run(context, next);
  };
}
