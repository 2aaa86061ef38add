/**
 * BENCH_REDIS=1: a redis-server of the run's own on a free loopback port, so the token scenarios
 * can also be measured with Portcullis's counters in Redis. Nothing saved to disk, at most 256 MB,
 * and bounded in time: `timeout` ends it after MAX_SECONDS even if this process dies without
 * stopping it; `stop()` (and this process's exit) end it at once.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';

const BINARY = '/usr/bin/redis-server';
/** Longer than any bench run (a full run takes about two minutes). */
const MAX_SECONDS = 3600;

export interface BenchRedis {
  url: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.once('data', (chunk) => done(chunk.toString().startsWith('+PONG')));
  });
}

export async function startBenchRedis(): Promise<BenchRedis> {
  if (!existsSync(BINARY)) throw new Error(`BENCH_REDIS=1 needs ${BINARY} (apt-get install redis-server)`);
  const port = await freePort();
  const child = spawn(
    'timeout',
    [String(MAX_SECONDS), BINARY, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory', '256mb'],
    { stdio: 'ignore' },
  );
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const stop = async () => {
    process.off('exit', kill);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // SIGTERM to `timeout` is passed on to redis-server.
    child.kill('SIGTERM');
    await gone;
  };
  for (let attempt = 0; !(await answers(port)); attempt += 1) {
    if (attempt >= 100 || child.exitCode !== null) {
      await stop();
      throw new Error(`redis-server did not start on 127.0.0.1:${port}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, stop };
}
