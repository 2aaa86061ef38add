/**
 * One measurement: autocannon against one server, keep-alive connections, bounded in time (never
 * longer than asked). Throughput counts successful answers only; `errors` adds connection errors,
 * timeouts, non-2xx answers and answers a scenario's own check refused.
 */
import autocannon, { type Request } from 'autocannon';

export interface Plan {
  requests: Request[];
  /** Failures found by the scenario's checks since the plan was made. */
  failures(): number;
  /** Successful units of work when one unit takes several requests (a login); default: 2xx answers. */
  completed?(): number;
  /** Latencies (ms) of whole units of work, when they are not single requests. */
  unitLatencies?(): number[];
  /** True when the plan checks every status itself (redirects are expected, not errors). */
  checksStatus?: boolean;
}

export interface Measurement {
  /** Units (requests, logins) per second. */
  rate: number;
  p50: number;
  p99: number;
  errors: number;
  completed: number;
  seconds: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
}

export function percentile(values: number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] as number;
}

export async function measure(options: LoadOptions, plan: Plan): Promise<Measurement> {
  const failuresBefore = plan.failures();
  const completedBefore = plan.completed?.() ?? 0;
  const latenciesBefore = plan.unitLatencies?.().length ?? 0;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    // A request still unanswered after 10 s is an error, not a slow success.
    timeout: 10,
    // autocannon stops at the first sample tick after `duration`; ticks every 100 ms keep a run
    // within 0.1 s of what was asked (the default 1 s tick rounded 2.5 s up to 3 s).
    sampleInt: 100,
    requests: plan.requests,
  });
  const errors = result.errors + (plan.checksStatus ? 0 : result.non2xx) + result.mismatches + (plan.failures() - failuresBefore);
  const completed = plan.completed ? plan.completed() - completedBefore : result['2xx'];
  const units = plan.unitLatencies?.().slice(latenciesBefore);
  return {
    rate: completed / result.duration,
    p50: units ? percentile(units, 0.5) : result.latency.p50,
    p99: units ? percentile(units, 0.99) : result.latency.p99,
    errors,
    completed,
    seconds: result.duration,
  };
}
