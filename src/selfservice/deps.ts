/** What the /account routes need, passed in by the composition root. */
import type { ChangePassword } from '../accounts/password-change.ts';
import type { AccountService } from '../accounts/service.ts';
import type { ProviderHolder } from '../oidc/holder.ts';
import type { SessionService } from '../sessions/service.ts';
import type { Renderer } from '../views/render.ts';

export interface SelfServiceDeps {
  holder: ProviderHolder;
  accounts: AccountService;
  sessions: SessionService;
  changePassword: ChangePassword;
  render: Renderer;
}
