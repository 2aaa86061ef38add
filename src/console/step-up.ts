/**
 * Step-up for sensitive changes at /account — the email address, the password, second factors
 * (set up, new backup codes, turn off) and signing out everywhere: they need a sign-in no older
 * than ACCOUNT_REAUTH_MAX_AGE (default 5 minutes). An open session alone — perhaps 14 days old,
 * perhaps left open on a shared computer — must not be enough to take the account over.
 *
 * Past the window there is no separate login: the router (router.ts) sends the browser through
 * the console's own authorization request with `max_age` (sign-in.ts), so the issuer asks for the
 * password, and the MFA policy for the second factor when one is enrolled (mfa/policy.ts reason
 * `max_age`), then the callback returns to the page. A form posted past the window is not acted
 * on; the person comes back to the form's page and submits it again. JSON callers get
 * `401 reauthentication_required` instead of a redirect.
 *
 * The age is the issuer session's `auth_time`, judged by the system clock: oidc-provider stamps
 * a password sign-in and judges `max_age` with the system clock, and the two must agree, or the
 * console would send a person to a sign-in the provider considers unnecessary, and round again.
 */
import type { Context } from 'koa';
import { epochSeconds } from '../platform/clock.ts';
import { AppError } from '../security/errors.ts';
import type { ConsoleDeps } from './deps.ts';
import { type SignedIn, signedIn } from './signed-in.ts';

export const REAUTHENTICATION_REQUIRED = 'reauthentication_required';

/** Thrown past the window; the router turns it into the sign-in for pages and forms. */
export class StepUpRequired extends AppError {
  /** The page to come back to after signing in again (a form's own page for a POST). */
  readonly returnTo: string;
  constructor(returnTo: string) {
    super(401, REAUTHENTICATION_REQUIRED, 'This change needs you to sign in again: your last sign-in is too old. Open the page in a browser to sign in.');
    this.returnTo = returnTo;
  }
}

export function isRecent(authTime: number | undefined, maxAge: number, nowSeconds = epochSeconds()): boolean {
  return authTime !== undefined && nowSeconds - authTime <= maxAge;
}

/**
 * The signed-in person, if their last authentication is within the window; otherwise
 * StepUpRequired. `returnTo` defaults to the address asked for (right for GET pages); a POST
 * names its form's page.
 */
export async function requireRecentSignIn(ctx: Context, deps: ConsoleDeps, returnTo: string = ctx.originalUrl): Promise<SignedIn> {
  const me = await signedIn(ctx, deps);
  if (!isRecent(me.authTime, deps.reauthMaxAge)) throw new StepUpRequired(returnTo);
  return me;
}
