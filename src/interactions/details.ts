/**
 * Reading the interaction behind a request. Every POST calls `expectPrompt` first: the stored
 * interaction, not a hidden form field, says what step this is.
 */
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import { AppError } from '../security/errors.ts';
import { uidParam } from './schemas.ts';

export type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

export async function loadInteraction(ctx: Context, provider: Provider): Promise<Interaction> {
  if (!uidParam.safeParse(ctx.params.uid).success) throw new AppError(400, 'invalid_request', 'this sign-in link is not valid');
  let interaction: Interaction;
  try {
    interaction = await provider.interactionDetails(ctx.req, ctx.res);
  } catch (error) {
    if ((error as { name?: string }).name === 'SessionNotFound') {
      throw new AppError(400, 'interaction_expired', 'this sign-in attempt has expired or is not valid any more; go back to the application and start again');
    }
    throw error;
  }
  if (interaction.uid !== ctx.params.uid) {
    throw new AppError(400, 'interaction_mismatch', 'this sign-in page belongs to another attempt; go back to the application and start again');
  }
  return interaction;
}

export function expectPrompt(interaction: Interaction, name: string): void {
  if (interaction.prompt.name !== name) {
    throw new AppError(400, 'unexpected_step', 'this step of the sign-in is already done or not due yet; reload the page');
  }
}

/** Ends the interaction: a 303 to the provider for forms, the same URL as JSON for API callers. */
export async function finish(ctx: Context, provider: Provider, result: InteractionResults, json: boolean): Promise<void> {
  const redirectTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: true });
  if (json) {
    ctx.body = { redirect_to: redirectTo };
    return;
  }
  ctx.status = 303;
  ctx.redirect(redirectTo);
}
