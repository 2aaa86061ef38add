/**
 * Per-request facts (request id, client IP, user agent) kept in AsyncLocalStorage so that events
 * emitted deep inside oidc-provider can still be tied to the request that caused them. The edge
 * (security/request-context.ts) opens the context; anything below may read it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The admin API caller once authenticated (admin/auth.ts): every event of the request names it as actor. */
export interface RequestActor {
  kind: 'admin' | 'operator';
  id?: string;
}

export interface RequestContext {
  requestId: string;
  ip: string;
  /** As sent (possibly empty); sessions/activity.ts records it with each session use. */
  userAgent: string;
  actor?: RequestActor;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}

export function runInRequest<T>(context: RequestContext, work: () => T): T {
  return storage.run(context, work);
}

/** Names the caller of the current request; outside a request it does nothing. */
export function actAs(actor: RequestActor): void {
  const context = storage.getStore();
  if (context) context.actor = actor;
}
