/**
 * Which second-factor step an interaction is at, read from the stored interaction only:
 * - `login`: this interaction's password step succeeded and left `mfa_pending` in its result;
 * - `step_up`: the `mfa` prompt asks an existing session for a second factor.
 * Anything else is not a second-factor step, whatever the form says (the `mfa` step of steps.ts).
 */
import { MFA_PROMPT } from '../../oidc/mfa-prompt.ts';
import type { Interaction } from '../types.ts';

/** Key in the interaction result that holds "password verified, second factor due". */
export const PENDING = 'mfa_pending';

export interface MfaStep {
  accountId: string;
  mode: 'login' | 'step_up';
}

export function pendingResult(accountId: string): Record<string, unknown> {
  return { [PENDING]: { accountId } };
}

export function readMfaStep(interaction: Interaction): MfaStep | undefined {
  if (interaction.prompt.name === MFA_PROMPT && interaction.session?.accountId) {
    return { accountId: interaction.session.accountId, mode: 'step_up' };
  }
  const pending = (interaction.result as Record<string, unknown> | undefined)?.[PENDING] as { accountId?: unknown } | undefined;
  if (interaction.prompt.name === 'login' && typeof pending?.accountId === 'string') {
    return { accountId: pending.accountId, mode: 'login' };
  }
  return undefined;
}
