/**
 * Holds the live Provider. oidc-provider reads its keys only at construction, so a key change
 * builds a new instance and swaps it in: requests already inside the old instance finish there,
 * the next request goes to the new one. Everything else lives in storage and survives the swap.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import compose from 'koa-compose';
import type Provider from 'oidc-provider';

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;
/** Takes the public app's Koa context (typed loosely: this folder does not import Koa). */
type Middleware = (ctx: unknown) => Promise<void>;

/**
 * The provider's own middleware, run on the caller's Koa context. The provider is a Koa app; its
 * callback would build a second context for the same request (and answer past ours). Both apps
 * share the cookie keys and the proxy setting (oidc/build.ts, configuration.ts), so the context
 * reads the same either way.
 */
function middlewareOf(provider: Provider): Middleware {
  const chain = compose(provider.middleware as never);
  return (ctx) => chain(ctx as never, async () => undefined);
}

export interface ProviderHolder {
  readonly current: Provider;
  /** The Node request handler of the current instance (a request from inside the process). */
  handler(): Handler;
  /** The current instance's middleware, as the last step of the public app. */
  middleware(): Middleware;
  swap(next: Provider): void;
  readonly generation: number;
}

export function createProviderHolder(initial: Provider): ProviderHolder {
  let current = initial;
  let handler = current.callback() as Handler;
  let middleware = middlewareOf(current);
  let generation = 1;
  return {
    get current() {
      return current;
    },
    handler: () => handler,
    middleware: () => middleware,
    swap(next) {
      const nextHandler = next.callback() as Handler;
      const nextMiddleware = middlewareOf(next);
      current = next;
      handler = nextHandler;
      middleware = nextMiddleware;
      generation += 1;
    },
    get generation() {
      return generation;
    },
  };
}
