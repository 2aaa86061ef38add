/** GET / — the issuer's root has no page of its own: a person who types the address lands on their account. */
import Router from '@koa/router';
import { ROUTER_OPTIONS } from '../security/routing.ts';

export function rootRouter(): Router {
  const router = new Router(ROUTER_OPTIONS);
  // 302, not 301: where the root leads is a choice of this version, and browsers cache a 301 for good.
  router.get('/', (ctx) => {
    ctx.status = 302;
    ctx.redirect('/account');
  });
  return router;
}
