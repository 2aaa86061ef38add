/**
 * After a correct password (login.ts), for a person an administrator marked `must_change`: the
 * interaction remembers "password verified, a new one is due" and the browser goes on to
 * /interaction/:uid/new-password (JSON callers get 401 password_change_required saying where).
 * No session, no second factor and no redirect to the client happen before that.
 */
import type { StepContext } from '../types.ts';
import { passwordChangePending } from './step.ts';

export async function askForNewPassword(
  request: Pick<StepContext<unknown, unknown>, 'ctx' | 'json' | 'provider' | 'interaction'>,
  accountId: string,
): Promise<void> {
  const { ctx, json, provider, interaction } = request;
  await provider.interactionResult(ctx.req, ctx.res, passwordChangePending(accountId), { mergeWithLastSubmission: false });
  const next = `/interaction/${interaction.uid}/new-password`;
  if (json) {
    ctx.status = 401;
    ctx.body = {
      error: 'password_change_required',
      error_description: 'an administrator set this password to be replaced: GET new_password.url, then POST {"new_password","confirm_password"} to it',
      new_password: { url: next },
    };
    return;
  }
  ctx.status = 303;
  ctx.redirect(next);
}
