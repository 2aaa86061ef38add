/**
 * Reading the interaction behind a request, and ending it. The pipeline (pipeline.ts) calls
 * `loadInteraction` for every route: the stored interaction, not a hidden form field, says what
 * step this is.
 */
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import { AppError } from '../security/errors.ts';
import { uidParam } from './schemas.ts';
import type { Interaction } from './types.ts';

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
