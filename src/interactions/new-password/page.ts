/**
 * The new-password page: new password and confirmation, for the account the stored interaction
 * names. JSON callers get the same facts (where to post, the CSRF token, what went wrong).
 */
import { describeRules, describeViolations } from '../../passwords/describe.ts';
import type { PolicyViolation } from '../../passwords/types.ts';
import { csrfToken } from '../../security/csrf.ts';
import type { InteractionDeps, StepContext } from '../types.ts';
import type { NewPasswordStep } from './step.ts';

export const PROBLEMS: Record<string, string> = {
  mismatch: 'The two new passwords are not the same.',
  same_password: 'Choose a password different from the one you were given.',
};

export type NewPasswordRequest = Pick<StepContext<unknown, NewPasswordStep>, 'ctx' | 'json' | 'provider' | 'interaction' | 'step'>;

/** What went wrong: one of PROBLEMS, or the password policy's violations (every rule that failed). */
export type NewPasswordProblem = string | PolicyViolation[] | { violations: PolicyViolation[] };

function explain(problem: NewPasswordProblem): { error: string; sentences: string[]; violations?: PolicyViolation[] } {
  if (typeof problem !== 'string') {
    const violations = Array.isArray(problem) ? problem : problem.violations;
    return { error: 'password_policy', sentences: describeViolations(violations), violations };
  }
  return { error: problem, sentences: [PROBLEMS[problem] ?? 'That password cannot be used.'] };
}

/** `problem`: a must-change problem code, or every rule the new password failed. */
export async function showNewPasswordStep(deps: InteractionDeps, request: NewPasswordRequest, problem?: NewPasswordProblem): Promise<void> {
  const { ctx, json, provider, interaction, step } = request;
  const uid = interaction.uid;
  const csrf = csrfToken(ctx);
  const status = problem ? 400 : 200;
  const explained = problem ? explain(problem) : undefined;
  const rules = deps.passwordRules;
  if (json) {
    ctx.status = status;
    ctx.body = {
      uid,
      prompt: { name: 'new_password' },
      ...(step.reason === 'compromised' ? { reason: 'compromised' } : {}),
      action_url: `/interaction/${uid}/new-password`,
      min_length: rules.minLength,
      max_length: rules.maxLength,
      csrf_token: csrf,
      ...(explained
        ? {
            error: explained.error,
            error_description: explained.sentences.join(' '),
            ...(explained.violations ? { violations: explained.violations } : {}),
          }
        : {}),
    };
    return;
  }
  const clientId = String(interaction.params.client_id);
  const client = await provider.Client.find(clientId);
  const account = await deps.accounts.findById(step.accountId);
  await deps.render(
    ctx,
    'new-password',
    {
      uid,
      csrf,
      clientName: client?.clientName ?? clientId,
      username: account?.username ?? '',
      minLength: rules.minLength,
      passwordRules: describeRules(rules),
      error: explained?.sentences,
      reason: step.reason,
    },
    status,
  );
}

/** GET /interaction/:uid/new-password. */
export async function showNewPasswordPage(deps: InteractionDeps, request: StepContext<undefined, NewPasswordStep>): Promise<void> {
  await showNewPasswordStep(deps, request);
}
