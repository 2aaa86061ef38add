/**
 * The new-password page: new password and confirmation, for the account the stored interaction
 * names. JSON callers get the same facts (where to post, the CSRF token, what went wrong).
 */
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../accounts/policy.ts';
import type { PolicyViolation } from '../../passwords/types.ts';
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

/** Every failed rule of the password policy, in words (a breached password's replacement). */
export function violationsInWords(violations: PolicyViolation[]): string {
  const words = (violation: PolicyViolation): string => {
    switch (violation.code) {
      case 'too_short':
        return `Use at least ${violation.min} characters.`;
      case 'too_long':
        return `Use at most ${violation.max} characters.`;
      case 'breached':
        return 'That password appeared in a data breach; choose another.';
      case 'breach_check_unavailable':
        return 'The password could not be checked against known breaches just now; try again in a moment.';
      case 'reused':
        return 'Choose a password you have not used before.';
      case 'like_username':
        return 'Do not use your username in your password.';
      case 'like_email':
        return 'Do not use your email address in your password.';
      case 'too_weak':
        return 'That password is too easy to guess; use a longer one, or several unrelated words.';
      default:
        return `Your password must include a character of each kind asked for (${violation.code.replace('missing_', '')}).`;
    }
  };
  return violations.map(words).join(' ');
}

export type NewPasswordRequest = Pick<StepContext<unknown, NewPasswordStep>, 'ctx' | 'json' | 'provider' | 'interaction' | 'step'>;

/** `problem`: a must-change problem code, or every rule a breached password's replacement failed. */
export async function showNewPasswordStep(deps: InteractionDeps, request: NewPasswordRequest, problem?: string | PolicyViolation[]): Promise<void> {
  const { ctx, json, provider, interaction, step } = request;
  const uid = interaction.uid;
  const csrf = csrfToken(ctx);
  const status = problem ? 400 : 200;
  const violations = Array.isArray(problem) ? problem : undefined;
  const error = violations ? violationsInWords(violations) : typeof problem === 'string' ? (PROBLEMS[problem] ?? 'That password cannot be used.') : undefined;
  if (json) {
    ctx.status = status;
    ctx.body = {
      uid,
      prompt: { name: 'new_password' },
      ...(step.reason === 'compromised' ? { reason: 'compromised' } : {}),
      action_url: `/interaction/${uid}/new-password`,
      min_length: PASSWORD_MIN_LENGTH,
      csrf_token: csrf,
      ...(violations ? { error: 'password_policy', error_description: error, violations } : problem ? { error: problem, error_description: error } : {}),
    };
    return;
  }
  const clientId = String(interaction.params.client_id);
  const client = await provider.Client.find(clientId);
  const account = await deps.accounts.findById(step.accountId);
  await deps.render(
    ctx,
    'new-password',
    { uid, csrf, clientName: client?.clientName ?? clientId, username: account?.username ?? '', minLength: PASSWORD_MIN_LENGTH, error, reason: step.reason },
    status,
  );
}

/** GET /interaction/:uid/new-password. */
export async function showNewPasswordPage(deps: InteractionDeps, request: StepContext<undefined, NewPasswordStep>): Promise<void> {
  await showNewPasswordStep(deps, request);
}
