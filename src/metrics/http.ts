/**
 * One middleware, first in the public app, times every request by route template, method and
 * status class: a timer, a label lookup and one histogram observation (the provider's answers
 * included: its middleware runs on the same context, oidc/holder.ts). Typed structurally: this folder does not import Koa.
 */
import { performance } from 'node:perf_hooks';
import type { Metrics } from './registry.ts';
import { statusClass } from './registry.ts';
import { createRouteLabel, type RoutedRequest } from './routes.ts';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export interface TimedContext extends RoutedRequest {
  method: string;
  status: number;
}

/** How many label sets get a cached observer; route × method × class is a closed set well under it. */
const OBSERVER_CACHE = 2000;

export function timeRequests(metrics: Metrics) {
  const routeLabel = createRouteLabel();
  // prom-client builds a closure, validates and hashes the labels on each observation; a label
  // set's observer is built once (the sets are few: routes are templates, methods a closed list).
  const observers = new Map<string, (seconds: number) => void>();
  const observerOf = (route: string, method: string, status: number) => {
    const statusLabel = statusClass(status);
    const key = `${route} ${method} ${statusLabel}`;
    let observe = observers.get(key);
    if (observe === undefined) {
      observe = metrics.httpRequestDuration.labels({ route, method, status_class: statusLabel }).observe;
      if (observers.size < OBSERVER_CACHE) observers.set(key, observe);
    }
    return observe;
  };
  return async function timedRequest(ctx: TimedContext, next: () => Promise<unknown>): Promise<void> {
    const start = performance.now();
    let status = 500;
    try {
      await next();
      status = ctx.status;
    } finally {
      observerOf(routeLabel(ctx), METHODS.has(ctx.method) ? ctx.method : 'other', status)((performance.now() - start) / 1000);
    }
  };
}
