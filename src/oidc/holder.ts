/**
 * Holds the live Provider. oidc-provider reads its keys only at construction, so a key change
 * builds a new instance and swaps it in: requests already inside the old instance finish there,
 * the next request goes to the new one. Everything else lives in storage and survives the swap.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface ProviderHolder {
  readonly current: Provider;
  /** The Node request handler of the current instance. */
  handler(): Handler;
  swap(next: Provider): void;
  readonly generation: number;
}

export function createProviderHolder(initial: Provider): ProviderHolder {
  let current = initial;
  let handler = current.callback() as Handler;
  let generation = 1;
  return {
    get current() {
      return current;
    },
    handler: () => handler,
    swap(next) {
      const nextHandler = next.callback() as Handler;
      current = next;
      handler = nextHandler;
      generation += 1;
    },
    get generation() {
      return generation;
    },
  };
}
