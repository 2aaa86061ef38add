/**
 * Benchmark knobs. They steer the harness only, never the server, so they are read here rather
 * than in src/config (the servers under test read their own configuration as in production).
 */
export const SCENARIO_NAMES = ['cc-jwt', 'cc-opaque', 'refresh', 'introspection', 'userinfo', 'jwks', 'discovery', 'login', 'memory', 'rotation'] as const;

export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface BenchSettings {
  /** Measured seconds per scenario and server. */
  seconds: number;
  /** Unmeasured seconds before each measurement, so both servers are measured warm. */
  warmupSeconds: number;
  /**
   * Unmeasured seconds of every endpoint scenario each server gets once after it starts, before
   * its first measurement: the JIT takes ~10 s of traffic to settle, and without this the first
   * scenarios of a run measured it.
   */
  startWarmupSeconds: number;
  /**
   * Logins each server completes, unmeasured, after start-up and before the login flow's first
   * measurement, within at most `flowWarmupMaxSeconds`. V8 optimises a function after enough calls,
   * not after enough seconds: at 40–60 logins/s a few seconds leave the sign-in code running in its
   * unoptimised tiers, while a server five times faster gets its code optimised in the same time.
   */
  flowWarmupLogins: number;
  flowWarmupMaxSeconds: number;
  /** Concurrent keep-alive connections for endpoint scenarios (the p99 target is at 32). */
  connections: number;
  /** Concurrent browsers for the login flow; each pays one argon2id verification per login. */
  flowConnections: number;
  sessions: number;
  grants: number;
  scenarios: ScenarioName[];
  /** Directory for `--cpu-prof` profiles of both servers, when set. */
  cpuProfileDir: string | undefined;
  /** Redis for the extra "Portcullis on Redis" rows: REDIS_URL, or BENCH_REDIS=1 (a redis-server the run starts). */
  redisUrl: string | undefined;
  startRedis: boolean;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}: expected a positive number, got "${raw}"`);
  return value;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const seconds = positive(env, 'BENCH_SECONDS', 5);
  const scenarios = (env.BENCH_SCENARIOS ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of scenarios) {
    if (!(SCENARIO_NAMES as readonly string[]).includes(name)) {
      throw new Error(`BENCH_SCENARIOS: unknown scenario "${name}" (known: ${SCENARIO_NAMES.join(', ')})`);
    }
  }
  return {
    seconds,
    // A fifth of the measured time, at most 2 s: caches and pools settle; the JIT has had its start warm-up.
    warmupSeconds: Math.min(2, Math.max(0.5, seconds / 5)),
    startWarmupSeconds: positive(env, 'BENCH_START_WARMUP', Math.min(2, Math.max(0.5, seconds * 0.4))),
    flowWarmupLogins: Math.round(positive(env, 'BENCH_FLOW_WARMUP', 1000)),
    flowWarmupMaxSeconds: Math.max(5, 6 * seconds),
    connections: Math.round(positive(env, 'BENCH_CONNECTIONS', 32)),
    flowConnections: Math.round(positive(env, 'BENCH_FLOW_CONNECTIONS', 8)),
    sessions: Math.round(positive(env, 'BENCH_SESSIONS', 10_000)),
    grants: Math.round(positive(env, 'BENCH_GRANTS', 100_000)),
    scenarios: scenarios.length ? (scenarios as ScenarioName[]) : [...SCENARIO_NAMES],
    cpuProfileDir: env.BENCH_CPU_PROF || undefined,
    redisUrl: env.REDIS_URL || undefined,
    startRedis: !env.REDIS_URL && env.BENCH_REDIS === '1',
  };
}
