/**
 * The admin API: every operator route, under one prefix and one credential
 * (`Authorization: Bearer <OPERATOR_TOKEN>`, see auth.ts). Without OPERATOR_TOKEN it is not
 * mounted at all (404). Answers are JSON and never cached.
 *
 *   GET  /admin/v1/keys                  signing keys with state and dates (never private material)
 *   POST /admin/v1/keys/rotate           {"alg"?: "ES256", "immediate"?: true}
 *   POST /admin/v1/keys/:kid/revoke      compromise: out of the JWKS and distrusted at once
 *   GET  /admin/v1/lockout?username=&ip= throttling and hard locks of a username, an address or both
 *   POST /admin/v1/lockout/unlock        {"username"} or {"ip"}: ends waits, counts and hard locks
 *   POST /admin/v1/lockout/lock          {"username"} or {"ip"}: hard lock (423) until unlocked
 */
import Router from '@koa/router';
import type { AccountService } from '../accounts/service.ts';
import type { AuditBus } from '../audit/bus.ts';
import type { KeyManager } from '../keys/manager.ts';
import type { Limiter } from '../lockout/limiter.ts';
import { ROUTER_OPTIONS } from '../security/routing.ts';
import { requireOperator } from './auth.ts';
import { keyHandlers } from './keys.ts';
import { lockoutHandlers } from './lockout.ts';
import { ADMIN_PREFIX } from './paths.ts';

export interface AdminDeps {
  token: string;
  keys: KeyManager;
  limiter: Limiter;
  accounts: AccountService;
  audit: AuditBus;
}

export function adminRouter(deps: AdminDeps): Router {
  const keys = keyHandlers(deps.keys);
  const lockout = lockoutHandlers(deps);
  // Case-sensitive like every router of ours (security/routing.ts), and the credential is checked
  // on each route itself rather than by router.use, whose prefix match @koa/router builds apart
  // from the routes': a route must never be reachable by a spelling its guard does not match.
  const auth = requireOperator(deps.token);
  const router = new Router({ prefix: ADMIN_PREFIX, ...ROUTER_OPTIONS });
  router.get('/keys', auth, keys.list);
  router.post('/keys/rotate', auth, keys.rotate);
  router.post('/keys/:kid/revoke', auth, keys.revoke);
  router.get('/lockout', auth, lockout.status);
  router.post('/lockout/unlock', auth, lockout.sharedCounters, lockout.unlock);
  router.post('/lockout/lock', auth, lockout.sharedCounters, lockout.lock);
  return router;
}
