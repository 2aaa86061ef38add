/**
 * Which second-factor step an interaction is at, read from the stored interaction only:
 * - `login`: this interaction's password step succeeded and left `mfa_pending` in its result;
 * - `step_up`: the `mfa` prompt asks an existing session for a second factor.
 * Anything else is not a second-factor step, whatever the form says.
 */
import { ACR_MFA, AMR_PASSWORD_AND_OTP } from '../../mfa/acr.ts';
import { MFA_PROMPT } from '../../oidc/mfa-prompt.ts';
import { AppError } from '../../security/errors.ts';
import type { Interaction } from '../details.ts';

/** Key in the interaction result that holds "password verified, second factor due". */
export const PENDING = 'mfa_pending';

export interface MfaStep {
  accountId: string;
  mode: 'login' | 'step_up';
}

export function pendingResult(accountId: string): Record<string, unknown> {
  return { [PENDING]: { accountId } };
}

export function mfaStep(interaction: Interaction): MfaStep {
  if (interaction.prompt.name === MFA_PROMPT && interaction.session?.accountId) {
    return { accountId: interaction.session.accountId, mode: 'step_up' };
  }
  const pending = (interaction.result as Record<string, unknown> | undefined)?.[PENDING] as { accountId?: unknown } | undefined;
  if (interaction.prompt.name === 'login' && typeof pending?.accountId === 'string') {
    return { accountId: pending.accountId, mode: 'login' };
  }
  throw new AppError(400, 'unexpected_step', 'this step of the sign-in is already done or not due yet; reload the page');
}

/**
 * The login result once the second factor is in: honest amr and acr, and auth_time (`ts`) the
 * moment the code was verified, by the same clock that checked the code.
 */
export function secondFactorLogin(accountId: string, verifiedAt: number) {
  return { login: { accountId, amr: AMR_PASSWORD_AND_OTP, acr: ACR_MFA, ts: Math.floor(verifiedAt / 1000), remember: true } };
}
