/** /account — pages where a signed-in person looks after their own sessions and password. */
import Router from '@koa/router';
import { noStore } from '../security/headers.ts';
import type { SelfServiceDeps } from './deps.ts';
import { showPasswordForm, submitPasswordChange } from './password-page.ts';
import { answerJson, endOtherSessionsJson, endSessionJson, listSessionsJson } from './sessions-api.ts';
import { endOtherSessionsByForm, endSessionByForm, showSessions } from './sessions-page.ts';

export type { SelfServiceDeps } from './deps.ts';

export function selfServiceRouter(deps: SelfServiceDeps): Router {
  const router = new Router({ prefix: '/account' });
  router.use(noStore);
  router.get('/sessions', showSessions(deps));
  router.post('/sessions/end', endSessionByForm(deps));
  router.post('/sessions/end-others', endOtherSessionsByForm(deps));
  router.get('/password', showPasswordForm(deps));
  router.post('/password', submitPasswordChange(deps));
  router.get('/api/sessions', answerJson, listSessionsJson(deps));
  router.delete('/api/sessions', answerJson, endOtherSessionsJson(deps));
  router.delete('/api/sessions/:uid', answerJson, endSessionJson(deps));
  return router;
}
