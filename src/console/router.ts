/**
 * /account — the pages (and their JSON) where a signed-in person looks after their own sessions,
 * password and second factors. Authenticated by the issuer session (signed-in.ts); every
 * state-changing route is CSRF-checked. Removing the authenticator and making new backup codes
 * need a fresh code in the same form, and setting one up needs a sign-in from the last 5 minutes
 * (mfa.ts): an open session alone, perhaps password-only, is not enough.
 */
import Router from '@koa/router';
import { noStore } from '../security/headers.ts';
import { ROUTER_OPTIONS } from '../security/routing.ts';
import type { ConsoleDeps } from './deps.ts';
import { confirmEnrolment, regenerateCodes, removeMfa, showEnrolment, showStatus } from './mfa.ts';
import { showPasswordForm, submitPasswordChange } from './password.ts';
import { answerJson, endOtherSessionsJson, endSessionJson, listSessionsJson } from './sessions-api.ts';
import { endOtherSessionsByForm, endSessionByForm, showSessions } from './sessions-page.ts';

export type { ConsoleDeps } from './deps.ts';

export function consoleRouter(deps: ConsoleDeps): Router {
  const router = new Router({ prefix: '/account', ...ROUTER_OPTIONS });
  router.use(noStore);
  router.get('/sessions', showSessions(deps));
  router.post('/sessions/end', endSessionByForm(deps));
  router.post('/sessions/end-others', endOtherSessionsByForm(deps));
  router.get('/password', showPasswordForm(deps));
  router.post('/password', submitPasswordChange(deps));
  router.get('/mfa', showStatus(deps));
  router.get('/mfa/enrol', showEnrolment(deps));
  router.post('/mfa/enrol', confirmEnrolment(deps));
  router.post('/mfa/backup-codes', regenerateCodes(deps));
  router.post('/mfa/remove', removeMfa(deps));
  router.get('/api/sessions', answerJson, listSessionsJson(deps));
  router.delete('/api/sessions', answerJson, endOtherSessionsJson(deps));
  router.delete('/api/sessions/:uid', answerJson, endSessionJson(deps));
  return router;
}
