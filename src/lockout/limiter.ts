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
import type { CounterBackend, CounterFamily } from './counters.ts';
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

  async function check(dimension: DimensionName, subject: Subject): Promise<Verdict> {
    const spec = specOf(dimension);
    const key = keyFor(spec.parts, subject);
    const { counts, waits } = family(dimension);
    if (spec.kind === 'budget') {
      const counter = await counts.get(key);
      const failures = counter?.count ?? 0;
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
    const [counter, wait] = await Promise.all([counts.get(key), waits.get(key)]);
    const failures = counter?.count ?? 0;
    return {
      dimension,
      allowed: wait === undefined,
      retryAfter: wait === undefined ? 0 : seconds(wait.msLeft),
      limit: spec.free,
      remaining: Math.max(spec.free - failures, 0),
      failures,
    };
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
