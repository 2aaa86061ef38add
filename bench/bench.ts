/**
 * The benchmark run: both servers side by side, every selected scenario driven against each by
 * the same load generator with the same settings, memory on fresh instances, then one table.
 */
import { type Measurement, measure, type Plan } from './load.ts';
import { buildReport, type Results } from './report.ts';
import { ccJwt, ccOpaque, discovery, introspection, jwks, refresh, userinfo } from './scenarios/endpoints.ts';
import { loginFlow } from './scenarios/login-flow.ts';
import { memoryFigures } from './scenarios/memory.ts';
import { rotationUnderLoad } from './scenarios/rotation.ts';
import type { ServerChild } from './servers/child.ts';
import { type BenchRedis, startBenchRedis } from './servers/redis.ts';
import { startBaseline, startPortcullis } from './servers/start.ts';
import type { BenchSettings, ScenarioName } from './settings.ts';

export type LoadScenario = Exclude<ScenarioName, 'memory' | 'rotation'>;

/** Tokens per pool: enough for every connection to hold a few, few enough to mint in a second. */
const poolSize = (settings: BenchSettings) => Math.max(64, settings.connections * 8);

export const PLANS: Record<LoadScenario, (server: ServerChild, settings: BenchSettings) => Plan | Promise<Plan>> = {
  'cc-jwt': () => ccJwt(),
  'cc-opaque': () => ccOpaque(),
  refresh: (server, settings) => refresh(server, poolSize(settings)),
  introspection: (server, settings) => introspection(server, poolSize(settings)),
  userinfo: (server, settings) => userinfo(server, poolSize(settings)),
  jwks: () => jwks(),
  discovery: () => discovery(),
  login: (server) => loginFlow(server.url),
};

const isLoad = (name: ScenarioName): name is LoadScenario => name in PLANS;

/** The scenarios that reach the token-endpoint guard's counters: measured again with them in Redis. */
const REDIS_SCENARIOS = new Set<ScenarioName>(['cc-jwt', 'cc-opaque', 'refresh', 'introspection']);

/** Connections a scenario runs with: the login flow has its own count of browsers. */
export const connectionsFor = (scenario: LoadScenario, settings: BenchSettings) => (scenario === 'login' ? settings.flowConnections : settings.connections);

/** Several shorter measurements of one server as one: totals, mean p50, worst p99. */
function combine(parts: Measurement[]): Measurement {
  const completed = parts.reduce((sum, part) => sum + part.completed, 0);
  const seconds = parts.reduce((sum, part) => sum + part.seconds, 0);
  return {
    rate: completed / seconds,
    p50: parts.reduce((sum, part) => sum + part.p50, 0) / parts.length,
    p99: Math.max(...parts.map((part) => part.p99)),
    errors: parts.reduce((sum, part) => sum + part.errors, 0),
    completed,
    seconds,
  };
}

/**
 * Baseline and Portcullis in the order B P P B, half the time each round: on a shared machine a
 * burst of someone else's work then lands on both servers instead of skewing one of them.
 */
async function measurePair(servers: [ServerChild, ServerChild], scenario: LoadScenario, settings: BenchSettings, log: (line: string) => void) {
  const connections = connectionsFor(scenario, settings);
  const plans = [await PLANS[scenario](servers[0], settings), await PLANS[scenario](servers[1], settings)] as const;
  log(`${scenario}: ${connections} connections, ${settings.warmupSeconds} s warm-up + ${settings.seconds} s on each server`);
  const results: [Measurement[], Measurement[]] = [[], []];
  for (const index of [0, 1] as const) {
    await measure({ url: servers[index].url, connections, seconds: settings.warmupSeconds }, plans[index]);
  }
  for (const index of [0, 1, 1, 0] as const) {
    results[index].push(await measure({ url: servers[index].url, connections, seconds: settings.seconds / 2 }, plans[index]));
  }
  return { baseline: combine(results[0]), portcullis: combine(results[1]) };
}

/**
 * A server fresh from start-up runs its code unoptimised at first: every endpoint scenario of the
 * run, once, unmeasured, so that the first measured scenario is not the one that paid for the JIT.
 * The login flow is warmed by a number of logins instead (`BENCH_FLOW_WARMUP`), the same for both
 * servers, so both run it optimised however fast each completes one.
 */
export async function warmUp(server: ServerChild, scenarios: LoadScenario[], settings: BenchSettings, log: (line: string) => void) {
  const endpoints = scenarios.filter((name) => name !== 'login');
  if (endpoints.length > 0) {
    log(`start warm-up of ${server.name}: ${settings.startWarmupSeconds} s of each of ${endpoints.join(', ')}`);
    for (const scenario of endpoints) {
      await measure({ url: server.url, connections: settings.connections, seconds: settings.startWarmupSeconds }, await PLANS[scenario](server, settings));
    }
  }
  if (scenarios.includes('login')) {
    const plan = await PLANS.login(server, settings);
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    while ((plan.completed?.() ?? 0) < settings.flowWarmupLogins && elapsed() < settings.flowWarmupMaxSeconds) {
      const seconds = Math.min(2, settings.flowWarmupMaxSeconds - elapsed());
      if (seconds < 0.1) break;
      await measure({ url: server.url, connections: connectionsFor('login', settings), seconds }, plan);
    }
    log(`start warm-up of ${server.name}: ${plan.completed?.() ?? 0} logins in ${elapsed().toFixed(1)} s`);
  }
}

/** The token scenarios once more, against a Portcullis whose counters are in Redis (REDIS_URL or BENCH_REDIS=1). */
async function measureOnRedis(baseline: ServerChild, settings: BenchSettings, loads: LoadScenario[], results: Results, log: (line: string) => void) {
  const scenarios = loads.filter((name) => REDIS_SCENARIOS.has(name));
  if (scenarios.length === 0 || !(settings.redisUrl || settings.startRedis)) return;
  let redis: BenchRedis | undefined;
  if (!settings.redisUrl) {
    redis = await startBenchRedis();
    log(`redis-server for this run at ${redis.url}`);
  }
  try {
    const onRedis = await startPortcullis(settings, settings.redisUrl ?? redis?.url);
    try {
      await warmUp(onRedis, scenarios, settings, log);
      for (const scenario of scenarios) results.onRedis.set(scenario, await measurePair([baseline, onRedis], scenario, settings, log));
    } finally {
      await onRedis.stop();
    }
  } finally {
    await redis?.stop();
  }
}

export async function runBench(settings: BenchSettings, log: (line: string) => void): Promise<string> {
  const results: Results = { settings, endpoints: new Map(), onRedis: new Map() };
  const loads = settings.scenarios.filter(isLoad);
  const wanted = (name: ScenarioName) => settings.scenarios.includes(name);

  if (loads.length || wanted('rotation')) {
    const baseline = await startBaseline(settings);
    const portcullis = await startPortcullis(settings).catch(async (error: unknown) => {
      await baseline.stop();
      throw error;
    });
    try {
      results.server = await portcullis.call('describe');
      for (const server of [baseline, portcullis]) await warmUp(server, loads, settings, log);
      for (const scenario of loads) {
        results.endpoints.set(scenario, await measurePair([baseline, portcullis], scenario, settings, log));
        if (scenario === 'login') {
          log(`argon2id verifications on ${portcullis.name}: ${settings.flowConnections} at a time, ${settings.seconds} s`);
          results.hashRate = (await portcullis.call<{ hashesPerSecond: number }>('hashRate', settings.seconds, settings.flowConnections)).hashesPerSecond;
        }
      }
      await measureOnRedis(baseline, settings, loads, results, log);
      // Last, because it changes the signing keys.
      if (wanted('rotation')) {
        log(`rotation on ${portcullis.name}: 3 provider swaps during ${settings.seconds} s`);
        results.rotation = await rotationUnderLoad(portcullis, settings.seconds, settings.connections, poolSize(settings));
      }
    } finally {
      await Promise.all([baseline.stop(), portcullis.stop()]);
    }
  }

  if (wanted('memory')) {
    // Fresh instances: what load scenarios left behind would blur the per-record figures.
    const figures = [];
    for (const start of [startBaseline, startPortcullis]) {
      const server = await start(settings);
      try {
        results.server ??= server.name.startsWith('portcullis') ? await server.call('describe') : undefined;
        log(`memory on ${server.name}: ${settings.sessions} sessions, then ${settings.grants} grants/tokens`);
        figures.push(await memoryFigures(server, settings.sessions, settings.grants));
      } finally {
        await server.stop();
      }
    }
    const [baseline, portcullis] = figures;
    if (baseline && portcullis) results.memory = { baseline, portcullis };
  }

  return buildReport(results);
}
