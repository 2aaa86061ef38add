/**
 * /account — the pages (and their JSON) where a signed-in person looks after their own sessions,
 * password and second factors. The console signs in through the issuer's own authorization flow
 * (sign-in.ts) and its cookie lives only as long as that issuer session (signed-in.ts): a page
 * opened without it starts the sign-in and returns to that page; JSON callers and forms get
 * 401 login_required instead of a redirect. Every
 * state-changing route is CSRF-checked. Removing the authenticator and making new backup codes
 * need a fresh code in the same form, and setting one up needs a sign-in from the last 5 minutes
 * (mfa.ts): an open session alone, perhaps password-only, is not enough.
 */
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { wantsJson } from '../security/body.ts';
import { AppError } from '../security/errors.ts';
import { noStore } from '../security/headers.ts';
import { ROUTER_OPTIONS } from '../security/routing.ts';
import { reportNotMe, showActivity } from './activity.ts';
import { revokeAppByForm, revokeAppJson, showApps } from './apps.ts';
import { showDataExport } from './data-export.ts';
import type { ConsoleDeps } from './deps.ts';
import { showEmailConfirm, submitEmailConfirm } from './email-confirm.ts';
import { showHome } from './home.ts';
import { confirmEnrolment, regenerateCodes, removeMfa, showEnrolment, showStatus } from './mfa.ts';
import { addPasskey, registrationOptions, removePasskey, renamePasskey } from './passkeys.ts';
import { showPasswordForm, submitPasswordChange } from './password.ts';
import { showProfile, submitEmail, submitName } from './profile.ts';
import { answerJson, endOtherSessionsJson, endSessionJson, listSessionsJson } from './sessions-api.ts';
import { endOtherSessionsByForm, endSessionByForm, showSessions } from './sessions-page.ts';
import { beginSignIn, callback } from './sign-in.ts';
import { LOGIN_REQUIRED } from './signed-in.ts';
import { StepUpRequired } from './step-up.ts';

export type { ConsoleDeps } from './deps.ts';

/**
 * A page asked for without a console session: sign in, then come back to it. A sensitive change
 * past the step-up window (step-up.ts), asked for by a page or a form: sign in again with max_age,
 * then come back to the page (a form's own page; the person submits it again).
 */
function signInWhenNeeded(deps: ConsoleDeps) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
    } catch (error) {
      if (error instanceof StepUpRequired && !wantsJson(ctx)) {
        beginSignIn(ctx, deps, error.returnTo, deps.reauthMaxAge);
        return;
      }
      const page = (ctx.method === 'GET' || ctx.method === 'HEAD') && !wantsJson(ctx);
      if (!(page && error instanceof AppError && error.code === LOGIN_REQUIRED)) throw error;
      beginSignIn(ctx, deps, ctx.originalUrl);
    }
  };
}

export function consoleRouter(deps: ConsoleDeps): Router {
  const router = new Router({ prefix: '/account', ...ROUTER_OPTIONS });
  router.use(noStore, signInWhenNeeded(deps));
  router.get('/', showHome(deps));
  router.get('/callback', callback(deps));
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
  router.post('/passkeys/options', registrationOptions(deps));
  router.post('/passkeys', addPasskey(deps));
  router.post('/passkeys/rename', renamePasskey(deps));
  router.post('/passkeys/remove', removePasskey(deps));
  router.get('/profile', showProfile(deps));
  router.post('/profile', submitName(deps));
  router.post('/profile/email', submitEmail(deps));
  router.get('/email/confirm/:token', showEmailConfirm(deps));
  router.post('/email/confirm/:token', submitEmailConfirm(deps));
  router.get('/api/sessions', answerJson, listSessionsJson(deps));
  router.delete('/api/sessions', answerJson, endOtherSessionsJson(deps));
  router.delete('/api/sessions/:uid', answerJson, endSessionJson(deps));
  router.get('/apps', showApps(deps));
  router.post('/apps/revoke', revokeAppByForm(deps));
  router.delete('/apps/:clientId', answerJson, revokeAppJson(deps));
  router.get('/api/apps', answerJson, showApps(deps));
  router.delete('/api/apps/:clientId', answerJson, revokeAppJson(deps));
  router.get('/activity', showActivity(deps));
  router.post('/activity/not-me', reportNotMe(deps));
  router.get('/api/activity', answerJson, showActivity(deps));
  router.get('/data', showDataExport(deps));
  router.get('/api/data', answerJson, showDataExport(deps));
  return router;
}
