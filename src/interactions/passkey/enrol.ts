/**
 * Setting up a passkey as the second factor during sign-in, under the same rules as setting up
 * an authenticator app there (mfa/policy.ts): the step is reached only for a reason the operator
 * set, right after this interaction's password, by a person with no second factor yet; a
 * breached password never leads here; the challenge is bound to this interaction. Registering
 * completes the sign-in with the passkey as the second factor.
 */
import type { z } from 'zod';
import { AppError } from '../../security/errors.ts';
import { asHttp } from '../../security/passkey-refusals.ts';
import { actOnVerdict } from '../breach/after-factors.ts';
import { finish } from '../details.ts';
import { finishSignIn } from '../finish-sign-in.ts';
import type { MfaStep } from '../mfa/step.ts';
import type { InteractionDeps, StepContext } from '../types.ts';
import { passkeysOf } from './passwordless.ts';
import type { optionsForm, registerForm } from './schemas.ts';

async function mayEnrol(deps: InteractionDeps, step: MfaStep) {
  const passkeys = passkeysOf(deps);
  if (step.verdict?.breached) throw new AppError(400, 'unexpected_step', 'this sign-in attempt cannot continue; go back to the application and start again');
  if ((await deps.mfa.isEnrolled(step.accountId)) || (await passkeys.has(step.accountId))) {
    throw new AppError(409, 'already_enrolled', 'a second factor is already set up: use it to continue');
  }
  return passkeys;
}

export async function enrolmentOptions(deps: InteractionDeps, request: StepContext<z.infer<typeof optionsForm>, MfaStep>): Promise<void> {
  const { interaction, step } = request;
  const passkeys = await mayEnrol(deps, step);
  const account = await deps.accounts.findById(step.accountId);
  const registrant = { id: step.accountId, username: account?.username ?? step.accountId, name: account?.name };
  const options = await asHttp(() => passkeys.registrationOptions(registrant, { kind: 'interaction', id: interaction.uid }));
  request.ctx.body = { options };
}

export async function submitPasskeyEnrolment(deps: InteractionDeps, request: StepContext<z.infer<typeof registerForm>, MfaStep>): Promise<void> {
  const { ctx, json, form, provider, interaction, step } = request;
  const passkeys = await mayEnrol(deps, step);
  const clientId = String(interaction.params.client_id);
  const record = await asHttp(() =>
    passkeys.register(step.accountId, { kind: 'interaction', id: interaction.uid }, form.response, form.name ?? '', { clientId }),
  );
  if (step.mode === 'login') await actOnVerdict(deps, request, step.accountId, step.verdict, undefined);
  const login = await finishSignIn(deps, interaction, {
    accountId: step.accountId,
    factors: 'passkey',
    mode: step.mode,
    // The new credential answered this interaction's challenge with the person present.
    passkey: { userPresent: true, userVerified: false, backupEligible: record.backupEligible, attested: record.attested },
  });
  await finish(ctx, provider, login, json);
}
