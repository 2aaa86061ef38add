/**
 * The steps interaction routes serve (types.ts `Step`), each read from the stored interaction:
 * - `login`: the login prompt (also while a second factor is pending: a new password starts over);
 * - `new_password`: an admin-set `must_change` password was right; a new one is due (new-password/step.ts);
 * - `mfa`: a second factor is due (interactions/mfa/step.ts says which kind);
 * - `consent`: the consent prompt of a signed-in session;
 * - `any`: whatever step the interaction is at.
 */
import { type MfaStep, readMfaStep } from './mfa/step.ts';
import { type NewPasswordStep, readNewPasswordStep } from './new-password/step.ts';
import type { Interaction, Step } from './types.ts';

export const anyStep: Step<Interaction> = { name: 'any', at: (interaction) => interaction };

export const loginStep: Step<Interaction> = {
  name: 'login',
  at: (interaction) => (interaction.prompt.name === 'login' ? interaction : undefined),
};

export const consentStep: Step<{ accountId: string }> = {
  name: 'consent',
  at: (interaction) => {
    const accountId = interaction.session?.accountId;
    return interaction.prompt.name === 'consent' && accountId ? { accountId } : undefined;
  },
};

export const mfaStep: Step<MfaStep> = { name: 'mfa', at: readMfaStep };

export const newPasswordStep: Step<NewPasswordStep> = { name: 'new_password', at: readNewPasswordStep };
