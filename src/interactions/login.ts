/**
 * POST /interaction/:uid/login — password sign-in (after the pipeline's prologue). The answer to a
 * wrong password never says whether the username exists: same message, same status, and (with
 * the decoy hash) same timing. A correct password goes on to mfa/after-password.ts, or first to
 * the new-password step when an administrator marked it `must_change` (new-password/ask.ts).
 * This is the only moment the plaintext exists, so the breach verdict is taken here (at most once
 * a day per person, failing open) and kept in the interaction until every factor is verified
 * (passwords/sign-in-check.ts, breach/after-factors.ts).
 */

import type { z } from 'zod';
import { requestUserAgent } from '../audit/user-agent.ts';
import { asAppError } from '../security/errors.ts';
import { continueAfterPassword } from './mfa/after-password.ts';
import { askForNewPassword } from './new-password/ask.ts';
import type { loginForm } from './schemas.ts';
import type { Interaction, InteractionDeps, StepContext } from './types.ts';

const GENERIC_FAILURE = 'That username and password combination is not right.';

type LoginRequest = StepContext<z.infer<typeof loginForm>, Interaction>;

/** The sign-in page again, with what went wrong in words. */
async function loginPageAgain(deps: InteractionDeps, request: LoginRequest, error: string, status: number): Promise<void> {
  const { ctx, provider, interaction, form } = request;
  const clientId = String(interaction.params.client_id);
  const client = await provider.Client.find(clientId);
  await deps.render(
    ctx,
    'login',
    { uid: interaction.uid, clientName: client?.clientName ?? clientId, csrf: form.csrf, username: form.username, error },
    status,
  );
}

export async function submitLogin(deps: InteractionDeps, request: LoginRequest): Promise<void> {
  const { ctx, json, form, interaction } = request;
  const attempt = { username: form.username, ip: String(ctx.state.clientIp) };
  try {
    await deps.guard.check(attempt);
  } catch (error) {
    // Throttled browsers get the sign-in page again (429, Retry-After), with the wait in words.
    const refused = asAppError(error);
    if (json || refused?.status !== 429) throw error;
    ctx.set(refused.headers);
    await loginPageAgain(deps, request, refused.message, 429);
    return;
  }
  const result = await deps.accounts.authenticate(form.username, form.password);

  if (!result.ok) {
    await deps.guard.failed({ ...attempt, accountId: result.accountId });
    deps.audit.emit({
      type: 'login.failed',
      accountId: result.accountId,
      clientId: String(interaction.params.client_id),
      detail: { reason: result.reason, ...requestUserAgent() },
    });
    if (json) {
      ctx.status = 401;
      ctx.body = { error: 'invalid_credentials', error_description: GENERIC_FAILURE };
      return;
    }
    await loginPageAgain(deps, request, GENERIC_FAILURE, 401);
    return;
  }

  await deps.guard.succeeded({ ...attempt, accountId: result.account.id });
  if (result.account.mustChangePassword === true) {
    await askForNewPassword(request, result.account.id);
    return;
  }
  const verdict = await deps.breachAtSignIn.judge(result.account, form.password);
  await continueAfterPassword(deps, request, result.account, verdict);
}
