/**
 * Self-service for second factors at /account/mfa. Authenticated by the issuer session
 * (signed-in.ts), every POST CSRF-checked. Removing the authenticator and making new backup
 * codes both need a fresh code in the same form: a session alone (perhaps left open, perhaps
 * password-only) must not be enough to switch MFA off or mint new codes. Setting one up needs a
 * sign-in from the last 5 minutes (mfa-handlers.ts ENROL_FRESHNESS_SECONDS), and the secret it
 * shows is bound to this browser's session.
 */
import Router from '@koa/router';
import type { AccountService } from '../accounts/service.ts';
import type { MfaService } from '../mfa/service.ts';
import type { ProviderHolder } from '../oidc/holder.ts';
import { noStore } from '../security/headers.ts';
import type { Renderer } from '../views/render.ts';
import { confirmEnrolment, regenerateCodes, removeMfa, showEnrolment, showStatus } from './mfa-handlers.ts';

export interface AccountMfaDeps {
  holder: ProviderHolder;
  accounts: AccountService;
  mfa: MfaService;
  render: Renderer;
  /** The clock (epoch ms) the sign-in's freshness is measured by. */
  now: () => number;
}

export function accountMfaRouter(deps: AccountMfaDeps): Router {
  const router = new Router({ prefix: '/account/mfa' });
  router.use(noStore);
  router.get('/', showStatus(deps));
  router.get('/enrol', showEnrolment(deps));
  router.post('/enrol', confirmEnrolment(deps));
  router.post('/backup-codes', regenerateCodes(deps));
  router.post('/remove', removeMfa(deps));
  return router;
}
