/**
 * The prologue of every interaction route, in one place so a route cannot forget a part of it.
 * A form (`action`): parse the body with its schema, check the CSRF token, take the current
 * provider, re-read the interaction (provider.interactionDetails, STYLE.md rule 6) and check it is
 * at the step the route serves. A page (`page`): the same without body and CSRF. Only then does
 * the handler run, with everything typed in its StepContext.
 */
import type { Context } from 'koa';
import type { z } from 'zod';
import { parseBody, wantsJson } from '../security/body.ts';
import { verifyCsrf } from '../security/csrf.ts';
import { AppError } from '../security/errors.ts';
import { loadInteraction } from './details.ts';
import type { Interaction, InteractionDeps, Step, StepHandler, StepName } from './types.ts';

export interface InteractionRoute {
  method: 'GET' | 'POST';
  /** Below /interaction/:uid. */
  path: string;
  /** The step this route serves (the route table test reads it). */
  step: StepName;
  build(deps: InteractionDeps): (ctx: Context) => Promise<void>;
}

export const UNEXPECTED_STEP = 'this step of the sign-in is already done or not due yet; reload the page';

function atStep<S>(step: Step<S>, interaction: Interaction): S {
  const found = step.at(interaction);
  if (found === undefined) throw new AppError(400, 'unexpected_step', UNEXPECTED_STEP);
  return found;
}

/** A form POST: schema, CSRF, interaction, step — in that order, before the handler. */
export function action<Schema extends z.ZodType<{ csrf?: string | undefined }>, S>(
  path: string,
  options: { step: Step<S>; schema: Schema },
  handler: StepHandler<z.infer<Schema>, S>,
): InteractionRoute {
  return {
    method: 'POST',
    path,
    step: options.step.name,
    build: (deps) => async (ctx: Context) => {
      const json = wantsJson(ctx);
      const form = await parseBody(ctx, options.schema);
      verifyCsrf(ctx, form.csrf);
      const provider = deps.holder.current;
      const interaction = await loadInteraction(ctx, provider);
      const step = atStep(options.step, interaction);
      await handler(deps, { ctx, json, form, provider, interaction, step });
    },
  };
}

/** A GET: interaction and step; it changes nothing, so it needs no CSRF token. */
export function page<S>(path: string, options: { step: Step<S> }, handler: StepHandler<undefined, S>): InteractionRoute {
  return {
    method: 'GET',
    path,
    step: options.step.name,
    build: (deps) => async (ctx: Context) => {
      const json = wantsJson(ctx);
      const provider = deps.holder.current;
      const interaction = await loadInteraction(ctx, provider);
      const step = atStep(options.step, interaction);
      await handler(deps, { ctx, json, form: undefined, provider, interaction, step });
    },
  };
}
