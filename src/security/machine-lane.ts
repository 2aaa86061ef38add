/**
 * The provider's machine endpoints (token, introspection, revocation, userinfo, JWKS, discovery …)
 * skip the part of the edge that can never act on them: every router of ours, the canonical-path
 * check, the unknown-path 404 and the browser budget. A path takes this lane only when it is
 * exactly a provider route's canonical path, outside every browser endpoint, and no router of ours
 * could match it (routing.ts `couldMatch`), all decided once at start; for such a path each of
 * those middlewares passes the request on untouched, so the answer is the same, with about a
 * dozen middleware calls fewer. Everything before the lane (context, headers, CORS, errors,
 * HTTPS, CSRF state) still runs; what comes after it runs inside the lane (the endpoint guard,
 * then the provider).
 *
 * A lane request waits for the event loop's next check phase (`setImmediate`) before the guard and
 * the provider see it. Under load, the requests whose bytes arrived in one poll of the sockets are
 * then parsed together and answered together, instead of each being carried from its socket to its
 * answer before the next socket is read. That is cheaper per answer: CPU per request with
 * `bench/cpu.ts`, this against the same tree without the wait (docs/benchmarks.md, 2026-12-04).
 * A microtask (`Promise.resolve().then`) does not do it: it runs before the next socket is read.
 * When nothing else is waiting, the wait is one turn of the loop.
 */
import type { Context, Middleware, Next } from 'koa';

export interface MachineLaneOptions {
  /** Provider routes as [name, canonical path]. */
  routes: Iterable<readonly [string, string]>;
  /** Whether the path is (under) a browser endpoint, which the browser budget covers. */
  browserEndpoint(path: string): boolean;
  /** Whether any router of ours could match the path. */
  routerCouldMatch(path: string): boolean;
  /** What runs for a lane request: the rest of the edge and the provider. */
  handle: Middleware;
}

/** The paths that take the lane (exported for the test that lists them). */
export function machinePaths(options: Omit<MachineLaneOptions, 'handle'>): Set<string> {
  const paths = new Set<string>();
  for (const [, path] of options.routes) {
    if (!options.browserEndpoint(path) && !options.routerCouldMatch(path)) paths.add(path);
  }
  return paths;
}

/** Resolves in the event loop's next check phase, after the sockets ready now have been read. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function machineLane(options: MachineLaneOptions): Middleware & { paths: ReadonlySet<string> } {
  const paths = machinePaths(options);
  const handle = options.handle;
  const lane = function machineEndpoints(ctx: Context, next: Next): Promise<void> {
    return paths.has(ctx.path) ? nextTurn().then(() => handle(ctx, next) as Promise<void>) : next();
  };
  return Object.assign(lane, { paths });
}
