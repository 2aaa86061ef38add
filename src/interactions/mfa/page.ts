/**
 * The second-factor page: the code form for people with an authenticator, the enrolment page
 * (QR code, secret for manual entry, first-code form) for people who must set one up. JSON callers
 * get the same facts, including the secret and otpauth URI while enrolling.
 */
import type { Context } from 'koa';
import { ACR_PHR, requestedAcrValues } from '../../mfa/acr.ts';
import { wantsJson } from '../../security/body.ts';
import { csrfToken } from '../../security/csrf.ts';
import { groupSecret, qrDataUri } from '../../views/qr.ts';
import type { Interaction, InteractionDeps, StepContext } from '../types.ts';
import type { MfaStep } from './step.ts';

export const WRONG_CODE = 'That code is not right, or it was already used. Try the next code from your app.';

export interface PageOptions {
  error?: string | undefined;
  status?: number | undefined;
}

export async function showMfaStep(ctx: Context, deps: InteractionDeps, interaction: Interaction, step: MfaStep, options: PageOptions = {}): Promise<void> {
  const provider = deps.holder.current;
  const csrf = csrfToken(ctx);
  const uid = interaction.uid;
  const clientId = String(interaction.params.client_id);
  const client = await provider.Client.find(clientId);
  const clientName = client?.clientName ?? clientId;
  const totp = await deps.mfa.isEnrolled(step.accountId);
  const passkey = deps.passkeys ? await deps.passkeys.has(step.accountId) : false;
  // A request for acr `phr` is met by a passkey only: no code form is offered then.
  const passkeyOnly = requestedAcrValues(interaction.params).includes(ACR_PHR);
  const enrolled = totp || passkey;
  const status = options.status ?? 200;

  if (enrolled) {
    if (wantsJson(ctx)) {
      ctx.status = status;
      ctx.body = {
        uid,
        prompt: { name: 'mfa' },
        enrolled: true,
        methods: [...(totp && !passkeyOnly ? ['totp', 'backup_code'] : []), ...(passkey ? ['passkey'] : [])],
        verify_url: `/interaction/${uid}/mfa`,
        csrf_token: csrf,
        ...(options.error ? { error: 'invalid_code', error_description: options.error } : {}),
      };
      return;
    }
    await deps.render(ctx, 'mfa', { uid, csrf, clientName, error: options.error, totp: totp && !passkeyOnly, passkey }, status);
    return;
  }

  const account = await deps.accounts.findById(step.accountId);
  // The secret is bound to this interaction: no other sign-in, and no account page, is shown it.
  const enrolment = await deps.mfa.beginEnrolment(step.accountId, account?.username ?? step.accountId, { kind: 'interaction', id: uid });
  if (wantsJson(ctx)) {
    ctx.status = status;
    ctx.body = {
      uid,
      prompt: { name: 'mfa' },
      enrolled: false,
      enrolment: { secret: enrolment.secret, otpauth_uri: enrolment.uri },
      enrol_url: `/interaction/${uid}/mfa/enrol`,
      csrf_token: csrf,
      ...(options.error ? { error: 'invalid_code', error_description: options.error } : {}),
    };
    return;
  }
  await deps.render(
    ctx,
    'mfa-enrol',
    {
      title: 'Set up two-step verification',
      lead: `${clientName} asks for a second step when you sign in. Set up an authenticator app to continue.`,
      action: `/interaction/${uid}/mfa/enrol`,
      cancelAction: `/interaction/${uid}/abort`,
      cancelLabel: `Cancel and return to ${clientName}`,
      csrf,
      // Setting up a passkey instead, in this same step (interactions/passkey/enrol.ts).
      passkeyAction: deps.passkeys ? `/interaction/${uid}/mfa/passkey/enrol` : undefined,
      qr: await qrDataUri(enrolment.uri),
      secret: groupSecret(enrolment.secret),
      error: options.error,
    },
    status,
  );
}

/** A wrong or used code: 401, as JSON or as the same second-factor page with the reason. */
export async function answerWrongCode(ctx: Context, deps: InteractionDeps, interaction: Interaction, step: MfaStep, json: boolean): Promise<void> {
  if (json) {
    ctx.status = 401;
    ctx.body = { error: 'invalid_code', error_description: WRONG_CODE };
    return;
  }
  await showMfaStep(ctx, deps, interaction, step, { error: WRONG_CODE, status: 401 });
}

/** GET /interaction/:uid/mfa — the second-factor page for the step the interaction is at. */
export async function showMfaPage(deps: InteractionDeps, request: StepContext<undefined, MfaStep>): Promise<void> {
  await showMfaStep(request.ctx, deps, request.interaction, request.step);
}
