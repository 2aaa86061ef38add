/** What the self-service pages are given (app.ts builds it); a feature that is off is undefined and its routes are not mounted. */

import type { Registration } from '../passwords/registration.ts';
import type { PasswordReset } from '../passwords/reset.ts';
import type { Renderer } from '../views/render.ts';

export interface SelfServicePageDeps {
  reset: PasswordReset | undefined;
  registration: Registration | undefined;
  render: Renderer;
  /** PASSWORD_MIN_LENGTH, for the forms' `minlength` hint. */
  minLength: number;
  /** PASSWORD_RESET_TTL in seconds, for the words on the "check your mail" page. */
  resetTtl: number;
}

export const clientIp = (state: Record<string, unknown>) => String(state.clientIp);
