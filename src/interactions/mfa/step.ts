/**
 * Which second-factor step an interaction is at, read from the stored interaction only:
 * - `login`: this interaction's password step succeeded and left `mfa_pending` in its result;
 * - `step_up`: the `mfa` prompt asks an existing session for a second factor.
 * Anything else is not a second-factor step, whatever the form says (the `mfa` step of steps.ts).
 */
import { MFA_PROMPT } from '../../oidc/mfa-prompt.ts';
import type { SignInVerdict } from '../../passwords/sign-in-check.ts';
import type { Interaction } from '../types.ts';

/** Key in the interaction result that holds "password verified, second factor due". */
export const PENDING = 'mfa_pending';

export interface MfaStep {
  accountId: string;
  mode: 'login' | 'step_up';
  /** The password step's breach verdict, acted on once the second factor is verified (breach/after-factors.ts). */
  verdict?: SignInVerdict | undefined;
}

export function pendingResult(accountId: string, verdict?: SignInVerdict): Record<string, unknown> {
  return { [PENDING]: { accountId, ...(verdict ? { verdict } : {}) } };
}

function readVerdict(value: unknown): SignInVerdict | undefined {
  const verdict = value as Partial<SignInVerdict> | undefined;
  if (typeof verdict?.breached !== 'boolean' || typeof verdict.passwordChangedAt !== 'number') return undefined;
  return {
    breached: verdict.breached,
    passwordChangedAt: verdict.passwordChangedAt,
    checkedAt: typeof verdict.checkedAt === 'number' ? verdict.checkedAt : undefined,
  };
}

export function readMfaStep(interaction: Interaction): MfaStep | undefined {
  if (interaction.prompt.name === MFA_PROMPT && interaction.session?.accountId) {
    return { accountId: interaction.session.accountId, mode: 'step_up' };
  }
  const pending = (interaction.result as Record<string, unknown> | undefined)?.[PENDING] as { accountId?: unknown; verdict?: unknown } | undefined;
  if (interaction.prompt.name === 'login' && typeof pending?.accountId === 'string') {
    return { accountId: pending.accountId, mode: 'login', verdict: readVerdict(pending.verdict) };
  }
  return undefined;
}
