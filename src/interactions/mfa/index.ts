/**
 * The second factor inside an authorization request, plugged into the interaction router through
 * its hooks. Routes (under /interaction/:uid):
 *   GET  /mfa         the code page, or the enrolment page (HTML or JSON)
 *   POST /mfa         check a TOTP or backup code
 *   POST /mfa/enrol   confirm a new authenticator with its first code
 * plus the `mfa` prompt page (GET /interaction/:uid) and the afterPassword hook.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { SessionLimit } from '../../sessions/limit.ts';
import type { AccountService } from '../../accounts/service.ts';
import type { AuditBus } from '../../audit/bus.ts';
import type { MfaPolicy } from '../../mfa/policy.ts';
import type { MfaService } from '../../mfa/service.ts';
import type { ProviderHolder } from '../../oidc/holder.ts';
import { MFA_PROMPT } from '../../oidc/mfa-prompt.ts';
import type { Renderer } from '../../views/render.ts';
import { type Interaction, loadInteraction } from '../details.ts';
import type { InteractionDeps } from '../router.ts';
import { afterPassword } from './after-password.ts';
import { submitEnrolment } from './enrol.ts';
import { showMfaStep } from './page.ts';
import { mfaStep } from './step.ts';
import { submitMfa } from './verify.ts';

export interface MfaInteractionDeps {
  holder: ProviderHolder;
  accounts: AccountService;
  audit: AuditBus;
  render: Renderer;
  mfa: MfaService;
  policy: MfaPolicy;
  /** The clock that verifies codes (epoch ms); auth_time of a second-factor sign-in comes from it. */
  now: () => number;
  /** The concurrent-session limit; admitted when a sign-in (not a step-up) completes. */
  sessionLimit?: SessionLimit | undefined;
}

/** Signing in again where this browser already holds the person's session reuses that session. */
export async function admitSession(deps: MfaInteractionDeps, interaction: Interaction, accountId: string): Promise<void> {
  const browserSession = interaction.session?.accountId === accountId ? interaction.session.uid : undefined;
  await deps.sessionLimit?.admit(accountId, browserSession);
}

export function mfaInteractions(deps: MfaInteractionDeps): Pick<InteractionDeps, 'afterPassword' | 'extraPrompts' | 'extend'> {
  const showPrompt = (ctx: Context, interaction: Interaction) => showMfaStep(ctx, deps, interaction, mfaStep(interaction));
  return {
    afterPassword: afterPassword(deps),
    extraPrompts: new Map([[MFA_PROMPT, showPrompt]]),
    extend(router: Router) {
      router.get('/mfa', async (ctx) => showPrompt(ctx, await loadInteraction(ctx, deps.holder.current)));
      router.post('/mfa', submitMfa(deps));
      router.post('/mfa/enrol', submitEnrolment(deps));
    },
  };
}
