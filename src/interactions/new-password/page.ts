/**
 * The new-password page: new password and confirmation, for the account the stored interaction
 * names. JSON callers get the same facts (where to post, the CSRF token, what went wrong).
 */
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../accounts/policy.ts';
import { csrfToken } from '../../security/csrf.ts';
import type { InteractionDeps, StepContext } from '../types.ts';
import type { NewPasswordStep } from './step.ts';

export const PROBLEMS: Record<string, string> = {
  mismatch: 'The two new passwords are not the same.',
  same_password: 'Choose a password different from the one you were given.',
  too_short: `Use at least ${PASSWORD_MIN_LENGTH} characters.`,
  too_long: `Use at most ${PASSWORD_MAX_LENGTH} characters.`,
  contains_username: 'Do not use your username in your password.',
  repetitive: 'Use more than one or two different characters.',
};

export type NewPasswordRequest = Pick<StepContext<unknown, NewPasswordStep>, 'ctx' | 'json' | 'provider' | 'interaction' | 'step'>;

export async function showNewPasswordStep(deps: InteractionDeps, request: NewPasswordRequest, problem?: string): Promise<void> {
  const { ctx, json, provider, interaction, step } = request;
  const uid = interaction.uid;
  const csrf = csrfToken(ctx);
  const status = problem ? 400 : 200;
  const error = problem ? (PROBLEMS[problem] ?? 'That password cannot be used.') : undefined;
  if (json) {
    ctx.status = status;
    ctx.body = {
      uid,
      prompt: { name: 'new_password' },
      action_url: `/interaction/${uid}/new-password`,
      min_length: PASSWORD_MIN_LENGTH,
      csrf_token: csrf,
      ...(problem ? { error: problem, error_description: error } : {}),
    };
    return;
  }
  const clientId = String(interaction.params.client_id);
  const client = await provider.Client.find(clientId);
  const account = await deps.accounts.findById(step.accountId);
  await deps.render(
    ctx,
    'new-password',
    { uid, csrf, clientName: client?.clientName ?? clientId, username: account?.username ?? '', minLength: PASSWORD_MIN_LENGTH, error },
    status,
  );
}

/** GET /interaction/:uid/new-password. */
export async function showNewPasswordPage(deps: InteractionDeps, request: StepContext<undefined, NewPasswordStep>): Promise<void> {
  await showNewPasswordStep(deps, request);
}
