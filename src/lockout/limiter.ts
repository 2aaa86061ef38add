/**
 * The lockout API every feature calls: ask before an attempt, report failures, reset on
 * success. Callers name a dimension (dimensions.ts) and the subject it is keyed by:
 *
 *   const verdict = await limiter.check('mfa.person', { person: accountId });
 *   if (!verdict.allowed) throw refusal(verdict, 'code');   // 429 + Retry-After (refusals.ts)
 *   if (codeIsWrong) await limiter.fail('mfa.person', { person: accountId });
 *   else await limiter.reset('mfa.person', { person: accountId });
 *
 * Verdicts carry whole seconds (`retryAfter`), rounded up so that waiting that long always
 * suffices. Hard locks (423) exist only when an operator or an explicit policy sets them.
 */
import { backoffDelay } from './backoff.ts';
import type { Counter, CounterBackend, CounterFamily, CounterRead } from './counters.ts';
import { type DimensionName, type DimensionSpec, MARKS, type MarkName } from './dimensions.ts';
import { keyFor, type Part, patternFor, type Subject, token } from './keys.ts';

export interface Verdict {
  dimension: DimensionName;
  /** Whether the next attempt may go ahead. */
  allowed: boolean;
  /** Seconds to wait before it may (0 when allowed). */
  retryAfter: number;
  /** The budget (`points`) or the free failures (`backoff`), for RateLimit-Limit. */
  limit: number;
  remaining: number;
  /** Events counted so far in this dimension for this subject. */
  failures: number;
}

export type LockPart = Extract<Part, 'username' | 'ip'>;

export type SurveyCheck = readonly [DimensionName, Subject];

/** Checks and a good-standing mark answered by one read of the counters (with Redis: one round trip). */
export interface SurveyRequest {
  checks: readonly SurveyCheck[];
  /** A mark, and the checks its subject is exempt from while the mark is set. */
  exemption?: { mark: MarkName; subject: Subject; checks: readonly SurveyCheck[] };
}

export interface Survey {
  /** The verdicts of `checks`, then (unless exempt) those of the exemption's checks, in order. */
  verdicts: Verdict[];
  /** Whether the exemption's mark is set (its checks were then not applied). */
  exempt: boolean;
}

export interface Limiter {
  readonly backend: 'redis' | 'memory';
  /** False while Redis is configured but unreachable (counters are then per process). */
  healthy(): boolean;
  spec(dimension: DimensionName): DimensionSpec;
  check(dimension: DimensionName, subject: Subject): Promise<Verdict>;
  /** Counts one failure (for request budgets such as password_reset.person: one request). */
  fail(dimension: DimensionName, subject: Subject): Promise<Verdict>;
  /** Forgets the subject's count and any wait in this dimension (after a success). */
  reset(dimension: DimensionName, subject: Subject): Promise<void>;
  /** Marks a subject in good standing for `seconds`, e.g. "alice signed in from this address". */
  remember(mark: MarkName, subject: Subject, seconds: number): Promise<void>;
  known(mark: MarkName, subject: Subject): Promise<boolean>;
  /** `check` of several dimensions and `known` of one mark in one read of the store. */
  survey(request: SurveyRequest): Promise<Survey>;
  /** Hard lock: refused with 423 until `unlock`. */
  lock(part: LockPart, value: string): Promise<void>;
  locked(part: LockPart, value: string): Promise<boolean>;
  /** Removes hard locks, counts and waits in every dimension that involves the subject. */
  unlock(subject: Subject): Promise<void>;
}

interface Families {
  counts: CounterFamily;
  waits: CounterFamily;
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export function createLimiter(backend: CounterBackend, dimensions: Record<DimensionName, DimensionSpec>): Limiter {
  const families = new Map<DimensionName, Families>();
  for (const [name, spec] of Object.entries(dimensions) as [DimensionName, DimensionSpec][]) {
    const lifetime = spec.kind === 'budget' ? spec.window : spec.memory;
    // Waits, marks and locks are always written with their own lifetime; the family default is unused.
    families.set(name, { counts: backend.family(`${name}:count`, lifetime), waits: backend.family(`${name}:wait`, 1) });
  }
  const marks = backend.family('mark', 1);
  const locks = backend.family('lock', 1);
  const family = (name: DimensionName) => families.get(name) as Families;
  const specOf = (name: DimensionName) => dimensions[name];

  /** A verdict from what the store holds: the count, and for back-offs the wait. */
  function verdictOf(dimension: DimensionName, counter: Counter | undefined, wait: Counter | undefined): Verdict {
    const spec = specOf(dimension);
    const failures = counter?.count ?? 0;
    if (spec.kind === 'budget') {
      const spent = counter !== undefined && failures >= spec.points;
      return {
        dimension,
        allowed: !spent,
        retryAfter: spent ? seconds(counter.msLeft) : 0,
        limit: spec.points,
        remaining: Math.max(spec.points - failures, 0),
        failures,
      };
    }
    return {
      dimension,
      allowed: wait === undefined,
      retryAfter: wait === undefined ? 0 : seconds(wait.msLeft),
      limit: spec.free,
      remaining: Math.max(spec.free - failures, 0),
      failures,
    };
  }

  /** What a check reads: the count, and for a back-off also the wait. */
  function readsOf(dimension: DimensionName, subject: Subject): CounterRead[] {
    const key = keyFor(specOf(dimension).parts, subject);
    const { counts, waits } = family(dimension);
    return specOf(dimension).kind === 'budget'
      ? [{ family: counts, key }]
      : [
          { family: counts, key },
          { family: waits, key },
        ];
  }

  async function check(dimension: DimensionName, subject: Subject): Promise<Verdict> {
    const [counter, wait] = await backend.read(readsOf(dimension, subject));
    return verdictOf(dimension, counter, wait);
  }

  interface SurveyPlan {
    /** The dimension of each check: the request's own checks, then the exemption's. */
    dimensions: readonly DimensionName[];
    /** How many counters each check reads (1 for a budget, 2 for a back-off). */
    sizes: number[];
    reads: readonly CounterRead[];
  }
  /**
   * What a survey reads, by request object: a caller that asks the same question again with the
   * same (unchanged) request object — the token-endpoint guard, per client and address — has its
   * keys hashed and its reads listed once. A fresh request object is planned afresh.
   */
  const plans = new WeakMap<SurveyRequest, SurveyPlan>();
  function planOf(request: SurveyRequest): SurveyPlan {
    let plan = plans.get(request);
    if (plan) return plan;
    const exemption = request.exemption;
    const checks = [...request.checks, ...(exemption?.checks ?? [])];
    const groups = checks.map(([dimension, subject]) => readsOf(dimension, subject));
    const reads = groups.flat();
    if (exemption) reads.push({ family: marks, key: `${exemption.mark}:${keyFor(MARKS[exemption.mark], exemption.subject)}` });
    plan = { dimensions: checks.map(([dimension]) => dimension), sizes: groups.map((group) => group.length), reads };
    plans.set(request, plan);
    return plan;
  }

  /**
   * One read for everything: the checks, the mark and the checks it exempts from. Reading the
   * exempted counters on a known address costs nothing extra (same command); they are not applied.
   */
  async function survey(request: SurveyRequest): Promise<Survey> {
    const { dimensions, sizes, reads } = planOf(request);
    const counters = await backend.read(reads);
    const exempt = request.exemption !== undefined && counters[reads.length - 1] !== undefined;
    const verdicts: Verdict[] = [];
    let at = 0;
    for (const [index, dimension] of dimensions.entries()) {
      const size = sizes[index] ?? 0;
      if (!exempt || index < request.checks.length) verdicts.push(verdictOf(dimension, counters[at], size === 2 ? counters[at + 1] : undefined));
      at += size;
    }
    return { verdicts, exempt };
  }

  async function fail(dimension: DimensionName, subject: Subject): Promise<Verdict> {
    const spec = specOf(dimension);
    const key = keyFor(spec.parts, subject);
    const { counts, waits } = family(dimension);
    const counter = await counts.add(key);
    const failures = counter.count;
    if (spec.kind === 'budget') {
      const spent = failures >= spec.points;
      return {
        dimension,
        allowed: !spent,
        retryAfter: spent ? seconds(counter.msLeft) : 0,
        limit: spec.points,
        remaining: Math.max(spec.points - failures, 0),
        failures,
      };
    }
    const delay = backoffDelay(failures, spec);
    if (delay > 0) await waits.put(key, 1, delay);
    return { dimension, allowed: delay === 0, retryAfter: delay, limit: spec.free, remaining: Math.max(spec.free - failures, 0), failures };
  }

  return {
    backend: backend.kind,
    healthy: () => backend.healthy(),
    spec: specOf,
    check,
    survey,
    fail,
    async reset(dimension, subject) {
      const key = keyFor(specOf(dimension).parts, subject);
      const { counts, waits } = family(dimension);
      await Promise.all([counts.delete(key), waits.delete(key)]);
    },
    async remember(mark, subject, ttl) {
      await marks.put(`${mark}:${keyFor(MARKS[mark], subject)}`, 1, ttl);
    },
    async known(mark, subject) {
      return (await marks.get(`${mark}:${keyFor(MARKS[mark], subject)}`)) !== undefined;
    },
    async lock(part, value) {
      await locks.put(`${part}:${token(part, value)}`, 1, 0);
    },
    async locked(part, value) {
      return (await locks.get(`${part}:${token(part, value)}`)) !== undefined;
    },
    async unlock(subject) {
      const work: Promise<void>[] = [];
      for (const part of ['username', 'ip'] as const) {
        const value = subject[part];
        if (value !== undefined) work.push(locks.delete(`${part}:${token(part, value)}`));
      }
      for (const [name, spec] of Object.entries(dimensions) as [DimensionName, DimensionSpec][]) {
        const pattern = patternFor(spec.parts, subject);
        if (pattern === undefined) continue;
        const { counts, waits } = family(name);
        if (!pattern.includes('*')) work.push(counts.delete(pattern), waits.delete(pattern));
        else work.push(counts.deleteMatching(pattern), waits.deleteMatching(pattern));
      }
      await Promise.all(work);
    },
  };
}
