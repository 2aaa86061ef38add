/**
 * The pages a browser sees during an authorization request: every interaction route, password,
 * new password, second factor and consent alike, in this one table. Each row names the step it serves; the
 * pipeline (pipeline.ts) parses, checks CSRF, re-reads the interaction and checks that step before
 * the handler runs. test/interactions/routes.test.ts walks this table.
 */
import Router from '@koa/router';
import { codeForm } from '../security/code-form.ts';
import { noStore } from '../security/headers.ts';
import { ROUTER_OPTIONS } from '../security/routing.ts';
import { abortInteraction, submitConsent } from './consent.ts';
import { submitLogin } from './login.ts';
import { submitEnrolment } from './mfa/enrol.ts';
import { showMfaPage } from './mfa/page.ts';
import { submitMfa } from './mfa/verify.ts';
import { showNewPasswordPage } from './new-password/page.ts';
import { submitNewPassword } from './new-password/submit.ts';
import { enrolmentOptions, submitPasskeyEnrolment } from './passkey/enrol.ts';
import { passwordlessOptions, submitPasswordless } from './passkey/passwordless.ts';
import { optionsForm, passkeyForm, registerForm } from './passkey/schemas.ts';
import { secondFactorOptions, submitSecondFactor } from './passkey/second-factor.ts';
import { action, type InteractionRoute, page } from './pipeline.ts';
import { abortForm, confirmForm, loginForm, newPasswordForm } from './schemas.ts';
import { showInteraction } from './show.ts';
import { anyStep, consentStep, loginStep, mfaStep, newPasswordStep } from './steps.ts';
import type { InteractionDeps } from './types.ts';

export const INTERACTION_PREFIX = '/interaction/:uid';

export const INTERACTION_ROUTES: readonly InteractionRoute[] = [
  page('/', { step: anyStep }, showInteraction),
  action('/login', { step: loginStep, schema: loginForm }, submitLogin),
  page('/new-password', { step: newPasswordStep }, showNewPasswordPage),
  action('/new-password', { step: newPasswordStep, schema: newPasswordForm }, submitNewPassword),
  page('/mfa', { step: mfaStep }, showMfaPage),
  action('/mfa', { step: mfaStep, schema: codeForm }, submitMfa),
  action('/mfa/enrol', { step: mfaStep, schema: codeForm }, submitEnrolment),
  action('/passkey/options', { step: loginStep, schema: optionsForm }, passwordlessOptions),
  action('/passkey', { step: loginStep, schema: passkeyForm }, submitPasswordless),
  action('/mfa/passkey/options', { step: mfaStep, schema: optionsForm }, secondFactorOptions),
  action('/mfa/passkey', { step: mfaStep, schema: passkeyForm }, submitSecondFactor),
  action('/mfa/passkey/enrol/options', { step: mfaStep, schema: optionsForm }, enrolmentOptions),
  action('/mfa/passkey/enrol', { step: mfaStep, schema: registerForm }, submitPasskeyEnrolment),
  action('/confirm', { step: consentStep, schema: confirmForm }, submitConsent),
  action('/abort', { step: anyStep, schema: abortForm }, abortInteraction),
];

export function interactionRouter(deps: InteractionDeps): Router {
  const router = new Router({ prefix: INTERACTION_PREFIX, ...ROUTER_OPTIONS });
  router.use(noStore);
  for (const route of INTERACTION_ROUTES) {
    const handler = route.build(deps);
    if (route.method === 'GET') router.get(route.path, handler);
    else router.post(route.path, handler);
  }
  return router;
}
