/**
 * CPU per request: server CPU time (user + system, from /proc/<pid>/stat) over the answers it gave,
 * for both servers, alternating rounds, median of the rounds. Far steadier on a shared machine than
 * throughput, since a neighbour's load slows the clock but not the work a request costs.
 *
 *   node bench/cpu.ts [scenario …]     (default: cc-opaque cc-jwt introspection userinfo jwks)
 *   `login` is CPU per login (argon2id included), with BENCH_FLOW_CONNECTIONS browsers, after the
 *   bench's warm-up of BENCH_FLOW_WARMUP logins on each server.
 *   BENCH_SECONDS (per round, default 2), BENCH_ROUNDS (default 5), BENCH_CONNECTIONS (default 32)
 *   Beside the process's CPU, each line gives the server's main thread alone (the event loop; on the
 *   login flow the rest is argon2id in the thread pool) and this process's own CPU per unit (the
 *   load generator, which shares the machine's cores with the server).
 *   BENCH_AGAINST=<another checkout>: compare with Portcullis from that tree instead of bare
 *   oidc-provider (a change against the commit before it, in one run).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { connectionsFor, type LoadScenario, PLANS, warmUp } from './bench.ts';
import { measure, type Plan } from './load.ts';
import { startBaseline, startPortcullis } from './servers/start.ts';
import { readSettings } from './settings.ts';

const SCENARIOS = Object.keys(PLANS) as LoadScenario[];

/** Clock ticks (1/100 s on Linux) of user and of system time: the process's, or one of its threads' (the main thread's id is the pid). */
async function cpuTicks(pid: number, thread?: number): Promise<[number, number]> {
  const stat = await readFile(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [Number(fields[11]), Number(fields[12])];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const settings = readSettings({ ...process.env, BENCH_SCENARIOS: '' });
const seconds = Number(process.env.BENCH_SECONDS ?? 2);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const names = (process.argv.slice(2).length ? process.argv.slice(2) : ['cc-opaque', 'cc-jwt', 'introspection', 'userinfo', 'jwks']) as LoadScenario[];
for (const name of names) if (!SCENARIOS.includes(name)) throw new Error(`unknown scenario ${name} (known: ${SCENARIOS.join(', ')})`);
const log = (line: string) => console.error(`cpu: ${line}`);

const against = process.env.BENCH_AGAINST;
// Run from dist/ (npm run build), the other tree is compared built too.
const againstStart = import.meta.url.endsWith('.js') ? 'dist/bench/servers/start.js' : 'bench/servers/start.ts';
const startFirst: typeof startBaseline = against
  ? ((await import(join(resolve(against), againstStart))) as { startPortcullis: typeof startPortcullis }).startPortcullis
  : startBaseline;
const servers = [await startFirst(settings), await startPortcullis(settings)] as const;
const firstName = against ? 'before' : 'baseline';
try {
  for (const server of servers) await warmUp(server, names, settings, log);
  for (const name of names) {
    const plans = await Promise.all(servers.map((server) => PLANS[name](server, settings)));
    const connections = connectionsFor(name, settings);
    const [unit, rateUnit] = name === 'login' ? ['login', 'logins'] : ['request', 'req'];
    const perRequest: number[][] = [[], []];
    // The event loop's share: on the login flow the rest is mostly argon2id in the thread pool.
    const mainPerRequest: number[][] = [[], []];
    // What the load generator (this process) spends per unit: on a machine this small it competes
    // with the server for the same cores.
    const clientPerRequest: number[][] = [[], []];
    const systemShare: number[][] = [[], []];
    const rates: number[][] = [[], []];
    for (const [index, server] of servers.entries()) await measure({ url: server.url, connections, seconds: 1 }, plans[index] as Plan);
    for (let round = 0; round < rounds; round++) {
      // The refresh plan loses up to one token per connection when a round stops mid-request, and
      // its pool runs dry after a few rounds: each round gets fresh tokens, minted before it is timed.
      if (name === 'refresh' && round > 0) plans.splice(0, plans.length, ...(await Promise.all(servers.map((server) => PLANS[name](server, settings)))));
      for (const [index, server] of servers.entries()) {
        const [before, mainBefore] = await Promise.all([cpuTicks(server.pid), cpuTicks(server.pid, server.pid)]);
        const client = process.cpuUsage();
        const result = await measure({ url: server.url, connections, seconds }, plans[index] as Plan);
        const clientUsage = process.cpuUsage(client);
        const [after, mainAfter] = await Promise.all([cpuTicks(server.pid), cpuTicks(server.pid, server.pid)]);
        const [user, system] = [after[0] - before[0], after[1] - before[1]];
        const main = mainAfter[0] + mainAfter[1] - mainBefore[0] - mainBefore[1];
        if (result.errors) throw new Error(`${name} on ${server.name}: ${result.errors} errors`);
        perRequest[index]?.push(((user + system) * 10_000) / result.completed);
        mainPerRequest[index]?.push((main * 10_000) / result.completed);
        clientPerRequest[index]?.push((clientUsage.user + clientUsage.system) / result.completed);
        systemShare[index]?.push(system / (user + system));
        rates[index]?.push(result.rate);
      }
    }
    const [base, ours] = perRequest.map(median) as [number, number];
    const [baseRate, ourRate] = rates.map(median) as [number, number];
    const [baseSystem, ourSystem] = systemShare.map(median) as [number, number];
    const [baseMain, ourMain] = mainPerRequest.map(median) as [number, number];
    const [baseClient, ourClient] = clientPerRequest.map(median) as [number, number];
    console.log(
      `${name.padEnd(14)} CPU/${unit.padEnd(7)} ${firstName} ${base.toFixed(0).padStart(4)} µs  portcullis ${ours.toFixed(0).padStart(4)} µs  ratio ${(base / ours).toFixed(2)}×  (system ${(100 * baseSystem).toFixed(0)} % vs ${(100 * ourSystem).toFixed(0)} %; main thread ${baseMain.toFixed(0)} vs ${ourMain.toFixed(0)} µs; load generator ${baseClient.toFixed(0)} vs ${ourClient.toFixed(0)} µs)   rate ${baseRate.toFixed(0)} vs ${ourRate.toFixed(0)} ${rateUnit}/s (${(ourRate / baseRate).toFixed(2)}×)`,
    );
  }
} finally {
  for (const server of servers) await server.stop();
}
