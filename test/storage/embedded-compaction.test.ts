/**
 * A failed rewrite of the embedded store's files (disk full, EACCES, EROFS: simulated here by a
 * directory where nedb writes its temporary file `<collection>.db~`, as the audit did) must not
 * kill the server: it answers, /readyz says it is not ready and why, and it is ready again once
 * a later compaction succeeds. And whatever rejection nobody handles ends the process cleanly.
 */
import assert from 'node:assert/strict';
import { mkdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createEmbeddedStore } from '../../src/storage/embedded/index.ts';
import { startServerProcess } from '../support/process.ts';
import { freePort, startServer } from '../support/server.ts';
import { tempDir } from '../support/tmp.ts';

const REJECT_ON_SIGNAL = fileURLToPath(new URL('../support/reject-on-signal.ts', import.meta.url));

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function readyz(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Asks until the answer changes: each compaction round ends at a moment we do not control. */
async function readyzUntil(url: string, status: number): Promise<{ status: number; body: Record<string, unknown> }> {
  for (;;) {
    const answer = await readyz(url);
    if (answer.status === status) return answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('embedded store compaction', () => {
  it('a failed compaction leaves the server running and /readyz unready with a reason, until one succeeds', async () => {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    const reports: Array<{ collection: string; error?: Error }> = [];
    // An hour: only the compactions this test asks for run.
    const store = await createEmbeddedStore(dir.path, { compactionIntervalMs: 3_600_000, onCompaction: (report) => reports.push(report) });
    cleanups.push(() => store.close());
    const server = await startServer({ dataDir: dir.path, options: { store } });
    cleanups.push(() => server.close());
    assert.equal((await readyz(server.url)).status, 200);

    const blocker = join(dir.path, 'records.db~');
    await mkdir(blocker);
    await store.compact();
    const unready = await readyz(server.url);
    assert.equal(unready.status, 503);
    assert.deepEqual(unready.body, { status: 'unavailable', store: 'embedded', reason: 'compaction_failed' });
    assert.equal(reports.at(-1)?.collection, 'records');
    assert.match(String(reports.at(-1)?.error?.message), /EISDIR/);
    assert.equal((await fetch(`${server.url}/.well-known/openid-configuration`)).status, 200, 'still serving');

    await rmdir(blocker);
    await store.compact();
    assert.deepEqual((await readyz(server.url)).body, { status: 'ready', store: 'embedded' });
    assert.deepEqual(reports.at(-1), { collection: 'records' }, 'the recovery is reported');
  });

  it('npm start survives a compaction that fails on its own timer, and recovers when it succeeds', async () => {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    const port = await freePort();
    const server = startServerProcess({
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dir.path,
      EMBEDDED_COMPACTION_INTERVAL: '1s',
      LOG_LEVEL: 'info',
    });
    cleanups.push(async () => {
      server.child.kill('SIGKILL');
      await server.exited;
    });
    await server.waitForLog((line) => line.msg === 'portcullis listening');
    const url = `http://127.0.0.1:${port}`;

    const blocker = join(dir.path, 'records.db~');
    await mkdir(blocker);
    const failed = await server.waitForLog((line) => /compaction of records failed/.test(String(line.msg)));
    assert.equal(failed.level, 40, 'logged as a warning');
    assert.deepEqual((await readyzUntil(url, 503)).body, { status: 'unavailable', store: 'embedded', reason: 'compaction_failed' });
    // Another round, which fails again, and the process is still there.
    await server.waitForLog((line) => line !== failed && /compaction of records failed/.test(String(line.msg)) && line.time !== failed.time);
    assert.equal(server.child.exitCode, null, 'the process is alive');

    await rmdir(blocker);
    await server.waitForLog((line) => /compaction of records succeeded again/.test(String(line.msg)));
    assert.equal((await readyzUntil(url, 200)).status, 200);

    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0, 'and it still stops cleanly');
  });

  it('an unhandled rejection is logged as one JSON line and the process exits non-zero after closing', async () => {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    const port = await freePort();
    const server = startServerProcess({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dir.path, LOG_LEVEL: 'info' }, ['--import', REJECT_ON_SIGNAL]);
    cleanups.push(async () => {
      server.child.kill('SIGKILL');
      await server.exited;
    });
    await server.waitForLog((line) => line.msg === 'portcullis listening');
    server.child.kill('SIGUSR2');
    assert.equal(await server.exited, 70, 'EX_SOFTWARE, not a crash by signal or the default 1');
    const fatal = server
      .lines()
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.level === 60);
    assert.ok(fatal, `a fatal log line; stdout:\n${server.lines().join('\n')}\nstderr:\n${server.stderr()}`);
    assert.equal(fatal.msg, 'unhandled rejection: shutting down');
    assert.equal((fatal.err as { message?: string }).message, 'a deliberate unhandled rejection from the test');
    assert.equal(server.stderr(), '', 'no stack trace dumped by Node');
  });
});
