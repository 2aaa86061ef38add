/**
 * Per-request facts (request id, client IP, user agent) kept in AsyncLocalStorage so that events
 * emitted deep inside oidc-provider can still be tied to the request that caused them. The edge
 * (security/request-context.ts) opens the context; anything below may read it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

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

export function runInRequest<T>(context: RequestContext, work: () => T): T {
  return storage.run(context, work);
}
