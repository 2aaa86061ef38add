/**
 * Where every sign-in ends, password-only or with a second factor: the concurrent-session limit
 * admits the session, `login.success` is recorded, and the login result carries honest amr and
 * acr (RFC 8176). A step-up (the `mfa` prompt on a session that already exists) starts no new
 * session, so it is neither admitted nor counted as a sign-in; it only raises amr/acr.
 */

import type { InteractionResults } from 'oidc-provider';
import { requestUserAgent } from '../audit/user-agent.ts';
import { ACR_MFA, ACR_PASSWORD, AMR_PASSWORD, AMR_PASSWORD_AND_OTP, acrFor, type PasskeyFacts, passkeyAmr, requestedAcrValues } from '../mfa/acr.ts';
import type { Interaction, InteractionDeps } from './types.ts';

export type SignInProof =
  /** A correct password, and no second factor due. */
  | { accountId: string; factors: 'password' }
  /** A correct second factor after the password (`login`), or on an existing session (`step_up`). */
  | { accountId: string; factors: 'second_factor'; mode: 'login' | 'step_up'; verifiedAt?: number | undefined }
  /** A passkey: instead of a password (`passwordless`), or as the second factor (`login`, `step_up`). */
  | { accountId: string; factors: 'passkey'; mode: 'passwordless' | 'login' | 'step_up'; passkey: Omit<PasskeyFacts, 'afterPassword'> };

/** amr of a passkey proof: a password came first at this sign-in, or is in the session being stepped up. */
function amrOf(proof: SignInProof, interaction: Interaction): string[] {
  if (proof.factors === 'password') return AMR_PASSWORD;
  if (proof.factors === 'second_factor') return AMR_PASSWORD_AND_OTP;
  const afterPassword = proof.mode === 'login' || (proof.mode === 'step_up' && interaction.session?.amr?.includes('pwd') === true);
  return passkeyAmr({ ...proof.passkey, afterPassword });
}

export async function finishSignIn(
  deps: Pick<InteractionDeps, 'audit' | 'sessionLimit' | 'now'>,
  interaction: Interaction,
  proof: SignInProof,
): Promise<InteractionResults> {
  const { accountId } = proof;
  const amr = amrOf(proof, interaction);
  if (proof.factors === 'password' || proof.mode !== 'step_up') {
    // Signing in again where this browser already holds the person's session reuses that session.
    const browserSession = interaction.session?.accountId === accountId ? interaction.session.uid : undefined;
    await deps.sessionLimit.admit(accountId, browserSession);
    deps.audit.emit({ type: 'login.success', accountId, clientId: String(interaction.params.client_id), detail: { amr, ...requestUserAgent() } });
  }
  if (proof.factors === 'password') {
    return { login: { accountId, amr, acr: ACR_PASSWORD, remember: true } };
  }
  if (proof.factors === 'passkey') {
    const acr = acrFor(amr, requestedAcrValues(interaction.params));
    return { login: { accountId, amr, acr, ts: Math.floor(deps.now() / 1000), remember: true } };
  }
  // auth_time (`ts`) is the moment the code was verified, by the same clock that checked the code
  // (earlier than now when a breached password was replaced after the code: `verifiedAt`).
  return { login: { accountId, amr, acr: ACR_MFA, ts: Math.floor((proof.verifiedAt ?? deps.now()) / 1000), remember: true } };
}
