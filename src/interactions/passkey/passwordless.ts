/**
 * Password-less sign-in at the login step: POST /interaction/:uid/passkey/options answers the
 * options for a discoverable credential with user verification required (JSON, for
 * passkeys.js), and POST /interaction/:uid/passkey takes the signed answer as a form. The
 * passkey names the account; a verified, user-verified passkey is both factors (amr
 * swk/hwk + user + mfa), so no second step follows. Failures count per client address only.
 */
import type { z } from 'zod';
import { PasskeyRefusal } from '../../mfa/passkeys/types.ts';
import { asHttp, passkeyAppError, passkeysUnavailable } from '../../security/passkey-refusals.ts';
import { finish } from '../details.ts';
import { finishSignIn } from '../finish-sign-in.ts';
import type { Interaction, InteractionDeps, StepContext } from '../types.ts';
import type { optionsForm, passkeyForm } from './schemas.ts';

const surfaceOf = (interaction: Interaction) => ({ kind: 'interaction' as const, id: interaction.uid });

export function passkeysOf(deps: InteractionDeps) {
  if (!deps.passkeys) throw passkeysUnavailable();
  return deps.passkeys;
}

export async function passwordlessOptions(deps: InteractionDeps, request: StepContext<z.infer<typeof optionsForm>, Interaction>): Promise<void> {
  const options = await asHttp(() => passkeysOf(deps).authenticationOptions(surfaceOf(request.interaction)));
  request.ctx.body = { options };
}

export async function submitPasswordless(deps: InteractionDeps, request: StepContext<z.infer<typeof passkeyForm>, Interaction>): Promise<void> {
  const { ctx, json, form, provider, interaction } = request;
  const clientId = String(interaction.params.client_id);
  const proof = await asHttp(() =>
    passkeysOf(deps).authenticate(surfaceOf(interaction), form.response, { kind: 'passwordless', ip: String(ctx.state.clientIp) }, { clientId }),
  );
  const account = await deps.accounts.findById(proof.accountId);
  if (account?.status !== 'active' || account.deletedAt) {
    deps.audit.emit({ type: 'login.failed', accountId: proof.accountId, clientId, detail: { reason: 'account_unavailable', method: 'passkey' } });
    throw passkeyAppError(new PasskeyRefusal('credential_unknown'));
  }
  const login = await finishSignIn(deps, interaction, { accountId: proof.accountId, factors: 'passkey', mode: 'passwordless', passkey: proof });
  await finish(ctx, provider, login, json);
}
