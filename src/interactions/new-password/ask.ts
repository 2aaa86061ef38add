/**
 * Sends the browser on to /interaction/:uid/new-password (JSON callers get 401
 * password_change_required saying where, and why). Two callers:
 * - login.ts, after a correct password, for a person an administrator marked `must_change`: no
 *   session, no second factor and no redirect to the client happen before the new password;
 * - breach/after-factors.ts, after the second factor, when the password was found in a breach:
 *   the sign-in ends once a new password is stored.
 */
import type { StepContext } from '../types.ts';
import { compromisedPasswordPending, type NewPasswordReason, passwordChangePending } from './step.ts';

const WHY: Record<NewPasswordReason, string> = {
  must_change: 'an administrator set this password to be replaced',
  compromised: 'this password appeared in a data breach and must be replaced',
};

export async function askForNewPassword(
  request: Pick<StepContext<unknown, unknown>, 'ctx' | 'json' | 'provider' | 'interaction'>,
  accountId: string,
  reason: { reason: 'must_change' } | { reason: 'compromised'; verifiedAt: number } = { reason: 'must_change' },
): Promise<void> {
  const { ctx, json, provider, interaction } = request;
  const pending = reason.reason === 'compromised' ? compromisedPasswordPending(accountId, reason.verifiedAt) : passwordChangePending(accountId);
  await provider.interactionResult(ctx.req, ctx.res, pending, { mergeWithLastSubmission: false });
  const next = `/interaction/${interaction.uid}/new-password`;
  if (json) {
    ctx.status = 401;
    ctx.body = {
      error: 'password_change_required',
      error_description: `${WHY[reason.reason]}: GET new_password.url, then POST {"new_password","confirm_password"} to it`,
      new_password: reason.reason === 'compromised' ? { url: next, reason: 'compromised' } : { url: next },
    };
    return;
  }
  ctx.status = 303;
  ctx.redirect(next);
}
