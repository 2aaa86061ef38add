/**
 * The pages that work without a session: reset by email and registration. None lives under
 * /account. A feature that is off (PASSWORD_RESET=off, REGISTRATION=closed) mounts no route, so
 * its paths answer 404. Every POST checks its CSRF token (security/csrf.ts; the link pages bind
 * it to the link, security/csrf-binding.ts). Answers are never cached (noStore on each route: a
 * router-wide `use` would put this prefix-less router in front of every request, security/routing.ts).
 *
 *   GET|POST /password/forgot          ask for a reset link
 *   GET|POST /password/reset/:token    choose a new password with the link
 *   GET|POST /signup                   sign up (REGISTRATION=open)
 *   GET|POST /email/verify/:token      confirm the address, creating the account
 */
import Router from '@koa/router';
import { noStore } from '../security/headers.ts';
import { ROUTER_OPTIONS } from '../security/routing.ts';
import type { SelfServicePageDeps } from './deps.ts';
import { showForgot, submitForgot } from './forgot.ts';
import { showReset, submitReset } from './reset-page.ts';
import { showSignup, submitSignup } from './signup.ts';
import { showVerify, submitVerify } from './verify.ts';

export function selfServiceRouter(deps: SelfServicePageDeps): Router {
  const router = new Router(ROUTER_OPTIONS);
  const { reset, registration } = deps;
  if (reset) {
    router.get('/password/forgot', noStore, showForgot(deps));
    router.post('/password/forgot', noStore, submitForgot(deps, reset));
    router.get('/password/reset/:token', noStore, showReset(deps, reset));
    router.post('/password/reset/:token', noStore, submitReset(deps, reset));
  }
  if (registration) {
    router.get('/signup', noStore, showSignup(deps));
    router.post('/signup', noStore, submitSignup(deps, registration));
    router.get('/email/verify/:token', noStore, showVerify(deps, registration));
    router.post('/email/verify/:token', noStore, submitVerify(deps, registration));
  }
  return router;
}
