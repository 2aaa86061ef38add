/**
 * A throwaway redis-server for tests: its own process on a free 127.0.0.1 port, nothing
 * persisted, stopped by `stop()` (and killed if the test process exits first).
 *
 * When the binary is missing, `REDIS_SKIP` holds the reason: pass it as `{ skip: REDIS_SKIP }`
 * so the test is reported as SKIPPED with that message, never as passed. `startRedis()` itself
 * rejects with the same message. Install with `apt-get install redis-server`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';

export const REDIS_BINARY = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';

export const REDIS_SKIP: string | false = existsSync(REDIS_BINARY)
  ? false
  : `redis-server not found at ${REDIS_BINARY}: install it (apt-get install redis-server) to run the Redis tests`;

if (REDIS_SKIP) process.stderr.write(`\n*** ${REDIS_SKIP} ***\n\n`);

export interface TestRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function launch(port: number): Promise<ChildProcess> {
  const child = spawn(
    REDIS_BINARY,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmpdir(), '--loglevel', 'warning'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start on port ${port}: ${output.slice(-500)}`));
    }, 10_000);
    const probe = setInterval(() => {
      const socket = createServer().listen(port, '127.0.0.1');
      // Once redis holds the port, our probe cannot bind it: redis is listening.
      socket.once('error', () => {
        clearInterval(probe);
        clearTimeout(timer);
        resolve(child);
      });
      socket.once('listening', () => socket.close());
    }, 20);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', (code) => {
      clearInterval(probe);
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}: ${output.slice(-500)}`));
    });
  });
}

/** Starts redis-server on a free loopback port; `port` reuses one (to restart after a stop). */
export async function startRedis(options: { port?: number } = {}): Promise<TestRedis> {
  if (REDIS_SKIP) throw new Error(REDIS_SKIP);
  let lastError: unknown;
  // A free port can be taken between our probe and redis binding it; try a few.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = options.port ?? (await freePort());
    try {
      const child = await launch(port);
      const killOnExit = () => child.kill('SIGKILL');
      process.once('exit', killOnExit);
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        async stop() {
          process.removeListener('exit', killOnExit);
          if (child.exitCode !== null || child.signalCode !== null) return;
          await new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          });
        },
      };
    } catch (error) {
      lastError = error;
      if (options.port) break;
    }
  }
  throw lastError;
}
