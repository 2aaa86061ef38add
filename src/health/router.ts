/** /healthz: the process answers. /readyz: the store answers too (load balancers route on this). */
import Router from '@koa/router';
import { ROUTER_OPTIONS } from '../security/routing.ts';
import { StoreNotReadyError } from '../storage/errors.ts';
import type { Store } from '../storage/port.ts';

class PingTimeout extends Error {}

/** A stable code for why the store is not ready; details stay in the log, not on this public page. */
function reasonOf(error: unknown): string {
  if (error instanceof StoreNotReadyError) return error.reason;
  if (error instanceof PingTimeout) return 'store_timeout';
  return 'store_unreachable';
}

export function healthRouter(store: Store): Router {
  const router = new Router(ROUTER_OPTIONS);
  router.get('/healthz', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    try {
      await Promise.race([store.ping(), new Promise((_, reject) => setTimeout(() => reject(new PingTimeout('timeout')), 2000).unref())]);
      ctx.body = { status: 'ready', store: store.kind };
    } catch (error) {
      ctx.status = 503;
      ctx.body = { status: 'unavailable', store: store.kind, reason: reasonOf(error) };
    }
  });
  return router;
}
