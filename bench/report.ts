/** Turning measurements into the printed report: a few lines of context and one table. */
import { availableParallelism, cpus, totalmem } from 'node:os';
import type { Measurement } from './load.ts';
import type { MemoryFigures } from './scenarios/memory.ts';
import type { RotationFigures } from './scenarios/rotation.ts';
import type { BenchSettings, ScenarioName } from './settings.ts';
import { bytes, type Cell, mib, ms, rate, ratio, renderTable } from './table.ts';

export interface ServerDescription {
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  hashConcurrency: number;
  logLevel: string;
  store: string;
  redis: boolean;
}

export interface Results {
  settings: BenchSettings;
  server?: ServerDescription | undefined;
  endpoints: Map<ScenarioName, { baseline: Measurement; portcullis: Measurement }>;
  /** The token scenarios again with Portcullis's counters in Redis (REDIS_URL or BENCH_REDIS=1). */
  onRedis: Map<ScenarioName, { baseline: Measurement; portcullis: Measurement }>;
  hashRate?: number;
  memory?: { baseline: MemoryFigures; portcullis: MemoryFigures };
  rotation?: RotationFigures;
}

const LABELS: Partial<Record<ScenarioName, string>> = {
  'cc-jwt': 'client credentials → JWT access token (ES256)',
  'cc-opaque': 'client credentials → opaque access token',
  refresh: 'refresh-token grant with rotation (+ ID token)',
  introspection: 'token introspection (opaque access token)',
  userinfo: 'userinfo',
  jwks: 'JWKS',
  discovery: 'discovery',
  login: 'login: authorize → password → consent → code → token',
};

/**
 * Issue 18's targets: a throughput ratio, and p99 at most 1.25 × the baseline's p99 in the same
 * run; the login flow against the argon2id rate (0.7× on 2 cores, 0.8× on 4 or more); idle memory
 * at most 25 MiB above the baseline's; at most 2 KB kept per stored session.
 */
const RATIO_TARGET: Partial<Record<ScenarioName, number>> = { 'cc-jwt': 0.8, 'cc-opaque': 0.8, refresh: 0.7, introspection: 0.8, userinfo: 0.8 };
const P99_FACTOR = 1.25;
const LOGIN_TARGET = availableParallelism() >= 4 ? 0.8 : 0.7;
const IDLE_MARGIN_MIB = 25;
const SESSION_TARGET_BYTES = 2048;

const mark = (ok: boolean) => (ok ? '✓' : '✗');

function targetCell(scenario: ScenarioName, pair: { baseline: Measurement; portcullis: Measurement }, connections: number): string {
  const parts: string[] = [];
  const wanted = RATIO_TARGET[scenario];
  if (wanted !== undefined) parts.push(`≥ ${wanted.toFixed(1)}× ${mark(pair.portcullis.rate >= wanted * pair.baseline.rate)}`);
  if (wanted !== undefined && connections === 32) parts.push(`p99 ≤ ${P99_FACTOR}× ${mark(pair.portcullis.p99 <= P99_FACTOR * pair.baseline.p99)}`);
  parts.push(`0 errors ${mark(pair.portcullis.errors === 0 && pair.baseline.errors === 0)}`);
  return parts.join(', ');
}

function machine(): string {
  const model = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${availableParallelism()} × ${model}, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, Node ${process.version}`;
}

export function buildReport(results: Results): string {
  const { settings, server } = results;
  const header = ['scenario', 'unit', 'baseline', 'p50 / p99 ms', 'errors', 'Portcullis', 'p50 / p99 ms', 'errors', 'Portcullis ÷ baseline', 'target'];
  const rows: Cell[][] = [];

  const measured = [
    ...[...results.endpoints].map(([scenario, pair]) => ({ scenario, pair, label: LABELS[scenario] })),
    ...[...results.onRedis].map(([scenario, pair]) => ({ scenario, pair, label: `${LABELS[scenario]}, Portcullis on Redis` })),
  ];
  for (const { scenario, pair, label } of measured) {
    const unit = scenario === 'login' ? 'logins/s' : 'req/s';
    const { baseline: b, portcullis: p } = pair;
    const connections = scenario === 'login' ? settings.flowConnections : settings.connections;
    rows.push([
      label,
      unit,
      rate(b.rate),
      ms(b.p50, b.p99),
      b.errors,
      rate(p.rate),
      ms(p.p50, p.p99),
      p.errors,
      ratio(p.rate, b.rate),
      targetCell(scenario, pair, connections),
    ]);
  }
  const login = results.endpoints.get('login');
  if (results.hashRate !== undefined && server) {
    const { memoryCost, timeCost, parallelism } = server.argon2;
    rows.push([
      `argon2id verification alone (m=${memoryCost} KiB, t=${timeCost}, p=${parallelism}), ${settings.flowConnections} at a time`,
      'hashes/s',
      undefined,
      undefined,
      undefined,
      rate(results.hashRate),
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    if (login) {
      const share = login.portcullis.rate / results.hashRate;
      rows.push([
        'login ÷ argon2id (what the rest of the flow costs)',
        'ratio',
        undefined,
        undefined,
        undefined,
        `${share.toFixed(2)}×`,
        undefined,
        undefined,
        undefined,
        `≥ ${LOGIN_TARGET}× ${mark(share >= LOGIN_TARGET)}`,
      ]);
    }
  }
  if (results.memory) {
    const { baseline: b, portcullis: p } = results.memory;
    const sessions = settings.sessions.toLocaleString('en-US');
    const grants = settings.grants.toLocaleString('en-US');
    /** One memory reading of both servers: a figure of each, formatted, their ratio, a target. */
    const memoryRow = (label: string, unit: string, format: (value: number) => string | undefined, figure: (m: MemoryFigures) => number, target?: string) =>
      rows.push([label, unit, format(figure(b)), undefined, undefined, format(figure(p)), undefined, undefined, ratio(figure(p), figure(b)), target]);
    memoryRow(
      'memory: resident, idle',
      'RSS',
      mib,
      (m) => m.idle,
      `≤ baseline + ${IDLE_MARGIN_MIB} MiB ${mark(p.idle <= b.idle + IDLE_MARGIN_MIB * 1024 ** 2)}`,
    );
    memoryRow(`memory: after ${sessions} sessions`, 'RSS', mib, (m) => m.afterSessions);
    memoryRow('memory: per session', 'bytes', bytes, (m) => m.bytesPerSession);
    memoryRow(
      'memory: per session, JS heap kept alive',
      'bytes',
      bytes,
      (m) => m.heapPerSession,
      `≤ ${SESSION_TARGET_BYTES.toLocaleString('en-US')} B ${mark(p.heapPerSession <= SESSION_TARGET_BYTES)}`,
    );
    memoryRow(`memory: after ${grants} more grants/tokens`, 'RSS', mib, (m) => m.afterGrants);
    memoryRow('memory: per grant/token', 'bytes', bytes, (m) => m.bytesPerGrant);
    memoryRow('memory: per grant/token, JS heap kept alive', 'bytes', bytes, (m) => m.heapPerGrant);
  }
  if (results.rotation) {
    const { measurement: m, swaps, newestKeySigns } = results.rotation;
    rows.push([
      `key rotation: ${swaps} provider swaps under load (JWT tokens, userinfo, JWKS)`,
      'req/s',
      undefined,
      undefined,
      undefined,
      rate(m.rate),
      ms(m.p50, m.p99),
      m.errors,
      undefined,
      `0 failed ${mark(m.errors === 0 && swaps === 3)}, newest key signs ${mark(newestKeySigns)}`,
    ]);
  }

  const store = `${server?.store ?? 'embedded'} store${results.onRedis.size > 0 ? ' (rows "on Redis": lockout counters in Redis)' : ''}`;
  const argon = server
    ? `, argon2id m=${server.argon2.memoryCost} KiB t=${server.argon2.timeCost} p=${server.argon2.parallelism} (at most ${server.hashConcurrency} at once)`
    : '';
  const flowWarmup = settings.scenarios.includes('login')
    ? `; the login flow: ${settings.flowWarmupLogins} logins, or ${settings.flowWarmupMaxSeconds} s at most, on each server first`
    : '';
  const lines = [
    `date: ${new Date().toUTCString()}`,
    `machine: ${machine()}`,
    `settings: ${settings.seconds} s per scenario after ${settings.warmupSeconds} s warm-up (and ${settings.startWarmupSeconds} s of each endpoint scenario after start-up${flowWarmup}), ${settings.connections} keep-alive connections (login flow: ${settings.flowConnections}), Portcullis with NODE_ENV=production, ${store}, LOG_LEVEL=${server?.logLevel ?? 'info'}${argon}`,
    '',
    renderTable(header, rows),
  ];
  return lines.join('\n');
}
