/**
 * `npm run bench`: Portcullis against bare oidc-provider, same machine, same run. Progress goes to
 * stderr, the report to stdout. Knobs: BENCH_SECONDS (default 5), BENCH_CONNECTIONS (32),
 * BENCH_FLOW_CONNECTIONS (8), BENCH_SESSIONS (10000), BENCH_GRANTS (100000), BENCH_SCENARIOS
 * (comma list, default all), BENCH_CPU_PROF (directory for --cpu-prof of both servers), REDIS_URL or
 * BENCH_REDIS=1 (a loopback redis-server for the run): the token scenarios again with Portcullis on Redis.
 */
import { runBench } from './bench.ts';
import { readSettings } from './settings.ts';

const started = performance.now();
try {
  const report = await runBench(readSettings(), (line) => process.stderr.write(`bench: ${line}\n`));
  process.stdout.write(`${report}\n`);
  process.stderr.write(`bench: finished in ${Math.round((performance.now() - started) / 1000)} s\n`);
} catch (error) {
  process.stderr.write(`bench: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
