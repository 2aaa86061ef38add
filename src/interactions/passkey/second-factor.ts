/**
 * A passkey at the second-factor step (after the password, or a step-up on an existing session):
 * POST /interaction/:uid/mfa/passkey/options lists only this person's passkeys, and
 * POST /interaction/:uid/mfa/passkey takes the answer. The account comes from the stored
 * interaction (mfa/step.ts); an answer from another account's passkey is `credential_unknown`.
 * Failures count per person with every other second factor (`mfa.person`).
 */
import type { z } from 'zod';
import { asHttp } from '../../security/passkey-refusals.ts';
import { actOnVerdict } from '../breach/after-factors.ts';
import { finish } from '../details.ts';
import { finishSignIn } from '../finish-sign-in.ts';
import type { MfaStep } from '../mfa/step.ts';
import type { InteractionDeps, StepContext } from '../types.ts';
import { passkeysOf } from './passwordless.ts';
import type { optionsForm, passkeyForm } from './schemas.ts';

export async function secondFactorOptions(deps: InteractionDeps, request: StepContext<z.infer<typeof optionsForm>, MfaStep>): Promise<void> {
  const { interaction, step } = request;
  const options = await asHttp(() => passkeysOf(deps).authenticationOptions({ kind: 'interaction', id: interaction.uid }, step.accountId));
  request.ctx.body = { options };
}

export async function submitSecondFactor(deps: InteractionDeps, request: StepContext<z.infer<typeof passkeyForm>, MfaStep>): Promise<void> {
  const { ctx, json, form, provider, interaction, step } = request;
  const proof = await asHttp(() =>
    passkeysOf(deps).authenticate(
      { kind: 'interaction', id: interaction.uid },
      form.response,
      { kind: 'second_factor', accountId: step.accountId },
      { clientId: String(interaction.params.client_id) },
    ),
  );
  // Every factor is verified: a breached password is replaced now, before the client is reached.
  if (step.mode === 'login' && (await actOnVerdict(deps, request, step.accountId, step.verdict, { verifiedAt: deps.now() }))) return;
  const login = await finishSignIn(deps, interaction, { accountId: step.accountId, factors: 'passkey', mode: step.mode, passkey: proof });
  await finish(ctx, provider, login, json);
}
