/**
 * Where the password step's breach verdict is acted on: only once every factor of the sign-in
 * has been verified, since whoever holds a breached password may be the attacker.
 * - With a second factor verified in this interaction: the account is marked compromised and the
 *   person chooses a new password inside the interaction (new-password/, reason `compromised`),
 *   then continues to the client.
 * - Without one (the person has no authenticator): the sign-in is refused (403
 *   `password_compromised`) with a page saying a reset link was sent to their verified address,
 *   and it is sent (SendResetLink, reason `compromised`). The password alone never opens a session.
 * A clean verdict is recorded here too (passwordCheckedAt), so a sign-in that never got past its
 * second factor writes nothing to the account.
 */
import type { SignInVerdict } from '../../passwords/sign-in-check.ts';
import { askForNewPassword } from '../new-password/ask.ts';
import type { InteractionDeps, StepContext } from '../types.ts';

type Request = Pick<StepContext<unknown, unknown>, 'ctx' | 'json' | 'provider' | 'interaction'>;

export const COMPROMISED_REFUSAL =
  'This password appeared in a data breach, so it can no longer be used to sign in. We sent a link to choose a new one to the verified email address of this account; if it has none, ask an administrator.';
/** PASSWORD_RESET=off: no link can go out. */
export const COMPROMISED_REFUSAL_NO_RESET =
  'This password appeared in a data breach, so it can no longer be used to sign in. Ask an administrator to set a new one for you.';

/** True when it answered the request (the change step, or the refusal); false: finish the sign-in. */
export async function actOnVerdict(
  deps: InteractionDeps,
  request: Request,
  accountId: string,
  verdict: SignInVerdict | undefined,
  secondFactor: { verifiedAt: number } | undefined,
): Promise<boolean> {
  const { compromised } = await deps.breachAtSignIn.settle(accountId, verdict);
  if (!compromised) return false;
  if (secondFactor) {
    await askForNewPassword(request, accountId, { reason: 'compromised', verifiedAt: secondFactor.verifiedAt });
    return true;
  }
  await refuse(deps, request, accountId);
  return true;
}

async function refuse(deps: InteractionDeps, request: Request, accountId: string): Promise<void> {
  const { ctx, json, interaction } = request;
  const account = await deps.accounts.findById(accountId);
  // SendResetLink never throws for mail trouble; the refusal does not wait on SMTP (the outbox).
  if (account && deps.sendResetLink) await deps.sendResetLink(account, 'compromised');
  const message = deps.sendResetLink ? COMPROMISED_REFUSAL : COMPROMISED_REFUSAL_NO_RESET;
  deps.audit.emit({ type: 'login.failed', accountId, clientId: String(interaction.params.client_id), detail: { reason: 'password_compromised' } });
  ctx.status = 403;
  if (json) {
    ctx.body = { error: 'password_compromised', error_description: message };
    return;
  }
  await deps.render(ctx, 'message', { title: 'Choose a new password', message }, 403);
}
