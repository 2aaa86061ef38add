/**
 * A per-address budget in front of the front-channel endpoints an anonymous caller can make the
 * provider store something with: /auth (an interaction, kept INTERACTION_TTL), /device and
 * /session/end (an anonymous session). Every request counts, served or not, because a served one
 * is the one that stores (security audit finding 6). Past the budget the answer is
 * `429 too_many_attempts` with Retry-After and RateLimit-* (http.ts), a page for a browser.
 *
 * Counting first and comparing after keeps it to one atomic increment per request; counting a
 * refused request costs nothing, since a budget's window runs from its first event.
 */
import type { Context, Next } from 'koa';
import type { Limiter } from '../lockout/limiter.ts';
import { refusal } from '../lockout/refusals.ts';

export interface BrowserBudgetOptions {
  /** Whether a (canonical) path belongs to a budgeted endpoint, sub-paths such as /auth/:uid included. */
  covers(path: string): boolean;
}

export function browserBudget(limiter: Limiter, options: BrowserBudgetOptions) {
  const budget = async (ctx: Context, next: Next): Promise<void> => {
    const verdict = await limiter.fail('browser.ip', { ip: String(ctx.state.clientIp) });
    if (verdict.failures > verdict.limit) throw refusal(verdict, 'request');
    await next();
  };
  return function budgetBrowserEndpoints(ctx: Context, next: Next): Promise<void> {
    return ctx.method === 'OPTIONS' || !options.covers(ctx.path) ? next() : budget(ctx, next);
  };
}
