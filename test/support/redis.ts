/**
 * A throwaway redis-server for tests: Debian's binary on a free 127.0.0.1 port, nothing saved to
 * disk, gone after `stop()`. When the binary is missing, suites skip loudly:
 *   describe('…', { skip: redisMissing }, () => { … })
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';

const BINARY = '/usr/bin/redis-server';
const READY_TIMEOUT_MS = 10_000;

/** A skip message when redis-server is not installed, undefined when it is. */
export const redisMissing: string | undefined = existsSync(BINARY)
  ? undefined
  : `SKIPPED: ${BINARY} is not installed (apt-get install redis-server; .ci/run does it) — Redis tests did not run`;

if (redisMissing) process.stderr.write(`\n${redisMissing}\n`);

export interface TestRedis {
  url: string;
  port: number;
  /** The server's process id (SIGSTOP makes it hang without closing connections). */
  pid: number;
  /** Ends the server (SIGKILL: abrupt, like a crash) and waits for it to exit. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Sends PING in RESP and resolves true on +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** `port` restarts a server where a stopped one was (clients reconnect to it). */
export async function startRedis(port?: number): Promise<TestRedis> {
  if (redisMissing) throw new Error(redisMissing);
  port ??= await freePort();
  const child = spawn(BINARY, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk.toString();
  });
  const stop = async () => {
    // SIGKILL also ends a server stopped with SIGSTOP.
    child.kill('SIGKILL');
    await exited(child);
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await ping(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not start on port ${port}: ${stderr.trim() || 'no answer to PING'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, port, pid: child.pid as number, stop };
}

/** The same reason as `redisMissing`, in the `{ skip: REDIS_SKIP }` form some suites use. */
export const REDIS_SKIP: string | false = redisMissing ?? false;
