/** What the /account routes need, passed in by the composition root. */

import type { AccountService } from '../accounts/service.ts';
import type { MfaService } from '../mfa/service.ts';
import type { ProviderHolder } from '../oidc/holder.ts';
import type { Clock } from '../platform/clock.ts';
import type { ChangePassword } from '../sessions/password-change.ts';
import type { SessionService } from '../sessions/service.ts';
import type { Renderer } from '../views/render.ts';

export interface ConsoleDeps {
  holder: ProviderHolder;
  accounts: AccountService;
  sessions: SessionService;
  changePassword: ChangePassword;
  mfa: MfaService;
  render: Renderer;
  /** The clock (epoch ms) a sign-in's freshness is measured by (setting up a second factor). */
  now: Clock;
}
