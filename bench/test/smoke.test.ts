/**
 * The benchmark harness still runs end to end: both servers start, every kind of scenario drives
 * them, the table comes out. A second of load each, a few connections; no speed is asserted, only
 * that nothing failed (an error here is a broken scenario or a broken server, not a slow one).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { build } from '../../scripts/build.ts';

/** What `npm run bench` runs: the bench and both servers compiled into dist/ first. */
let RUN: string;
before(() => {
  RUN = join(build(), 'bench', 'run.js');
});

function runBench(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUN], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run bench (smoke)', () => {
  it('measures a subset of scenarios on both servers and prints the table', async () => {
    const { code, stdout, stderr } = await runBench({
      BENCH_SECONDS: '1',
      BENCH_SCENARIOS: 'cc-jwt,refresh,introspection,login,memory,rotation',
      BENCH_CONNECTIONS: '4',
      BENCH_FLOW_CONNECTIONS: '2',
      BENCH_FLOW_WARMUP: '20',
      BENCH_SESSIONS: '200',
      BENCH_GRANTS: '600',
    });
    assert.equal(code, 0, stderr);
    const rows = stdout.split('\n').filter((line) => line.startsWith('| '));
    const row = (label: string) => {
      const found = rows.find((line) => line.startsWith(`| ${label}`));
      assert.ok(found, `no row for "${label}" in\n${stdout}`);
      return found.split('|').map((cell) => cell.trim());
    };
    for (const label of ['client credentials → JWT', 'refresh-token grant', 'token introspection', 'login: authorize']) {
      const cells = row(label);
      // Columns: scenario, unit, baseline, p50/p99, errors, Portcullis, p50/p99, errors, ratio, target.
      assert.equal(cells[5], '0', `baseline errors in: ${cells.join(' | ')}`);
      assert.equal(cells[8], '0', `Portcullis errors in: ${cells.join(' | ')}`);
    }
    row('argon2id verification alone');
    row('memory: per session');
    const rotation = row('key rotation: 3 provider swaps');
    assert.equal(rotation[8], '0', 'no request fails while keys rotate');
    assert.match(rotation[10] ?? '', /newest key signs ✓/);
  });

  it('with BENCH_REDIS=1 also measures the token scenarios with Portcullis on a redis-server it starts and stops', {
    skip: existsSync('/usr/bin/redis-server') ? false : 'no redis-server',
  }, async () => {
    const { code, stdout, stderr } = await runBench({
      BENCH_SECONDS: '1',
      BENCH_SCENARIOS: 'cc-opaque,jwks',
      BENCH_CONNECTIONS: '4',
      BENCH_REDIS: '1',
      REDIS_URL: '',
    });
    assert.equal(code, 0, stderr);
    const rows = stdout.split('\n').filter((line) => line.startsWith('| '));
    const onRedis = rows.find((line) => line.startsWith('| client credentials → opaque access token, Portcullis on Redis'));
    assert.ok(onRedis, stdout);
    assert.equal(onRedis.split('|').map((cell) => cell.trim())[8], '0', onRedis);
    assert.equal(rows.filter((line) => line.includes('on Redis')).length, 1, 'JWKS has no counters: no Redis row');
    const server = /redis-server for this run at redis:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
    assert.ok(server, stderr);
    assert.equal(await answersOn(Number(server[1])), false, 'the run stopped its redis-server');
  });
});

/** Whether anything accepts a connection on a loopback port. */
function answersOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
