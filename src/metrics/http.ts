/**
 * One middleware, first in the public app, times every request by route template, method and
 * status class: a timer, a label lookup and one histogram observation. Requests the provider
 * answers itself (`ctx.respond = false`) report the status it wrote to the response.
 * Typed structurally: this folder does not import Koa.
 */
import { performance } from 'node:perf_hooks';
import type { Metrics } from './registry.ts';
import { statusClass } from './registry.ts';
import { createRouteLabel, type RoutedRequest } from './routes.ts';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export interface TimedContext extends RoutedRequest {
  method: string;
  status: number;
  respond?: boolean | undefined;
  res: { statusCode: number };
}

export function timeRequests(metrics: Metrics) {
  const routeLabel = createRouteLabel();
  return async function timedRequest(ctx: TimedContext, next: () => Promise<unknown>): Promise<void> {
    const start = performance.now();
    let status = 500;
    try {
      await next();
      status = ctx.respond === false ? ctx.res.statusCode : ctx.status;
    } finally {
      metrics.httpRequestDuration.observe(
        { route: routeLabel(ctx), method: METHODS.has(ctx.method) ? ctx.method : 'other', status_class: statusClass(status) },
        (performance.now() - start) / 1000,
      );
    }
  };
}
