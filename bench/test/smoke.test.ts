/**
 * The benchmark harness still runs end to end: both servers start, every kind of scenario drives
 * them, the table comes out. A second of load each, a few connections; no speed is asserted, only
 * that nothing failed (an error here is a broken scenario or a broken server, not a slow one).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const RUN = fileURLToPath(new URL('../run.ts', import.meta.url));

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
});
