/** The pages a browser sees during an authorization request. */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { AccountService } from '../accounts/service.ts';
import type { AuditBus } from '../audit/bus.ts';
import type { ProviderHolder } from '../oidc/holder.ts';
import { noStore } from '../security/headers.ts';
import type { SessionLimit } from '../sessions/limit.ts';
import type { AccountRecord } from '../storage/port.ts';
import type { Renderer } from '../views/render.ts';
import { abortInteraction, submitConsent } from './consent.ts';
import type { Interaction } from './details.ts';
import type { LoginGuard } from './guard.ts';
import { submitLogin } from './login.ts';
import { showInteraction } from './show.ts';

export interface InteractionDeps {
  holder: ProviderHolder;
  accounts: AccountService;
  audit: AuditBus;
  render: Renderer;
  guard: LoginGuard;
  /** Called after a correct password; returns true when it answered the request itself (MFA). */
  afterPassword?: (ctx: Context, interaction: Interaction, account: AccountRecord, json: boolean) => Promise<boolean>;
  /** Pages for prompts other than login and consent. */
  extraPrompts?: Map<string, (ctx: Context, interaction: Interaction) => Promise<void>>;
  /** Extra routes under /interaction/:uid (MFA forms and the like). */
  extend?: (router: Router) => void;
  /** The concurrent-session limit, asked once the sign-in is otherwise complete (sessions/limit.ts). */
  sessionLimit?: SessionLimit;
}

export function interactionRouter(deps: InteractionDeps): Router {
  const router = new Router({ prefix: '/interaction/:uid' });
  router.use(noStore);
  router.get('/', showInteraction(deps));
  router.post('/login', submitLogin(deps));
  router.post('/confirm', submitConsent(deps));
  router.post('/abort', abortInteraction(deps));
  deps.extend?.(router);
  return router;
}
