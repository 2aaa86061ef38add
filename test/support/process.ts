/**
 * Runs `src/main.ts` as its own process (what `npm start` does from its build, dist/src/main.js), for
 * tests about the process itself; `entry` runs another copy of it (test/architecture/build.test.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { shippedNodeFlags } from '../../scripts/node-flags.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  /** Everything written to stdout so far, one JSON log line each. */
  lines(): string[];
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string | null>;
  /** Resolves once a log line satisfies `match`; rejects if the process ends first. */
  waitForLog(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

export function startServerProcess(env: Record<string, string>, nodeArgs: string[] = [], entry = MAIN): ServerProcess {
  const child = spawn(process.execPath, [...shippedNodeFlags(), ...nodeArgs, entry], {
    env: { PATH: process.env.PATH ?? '', ARGON2_MEMORY_KIB: '8192', ARGON2_TIME_COST: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
    for (const waiter of waiters) waiter();
  });
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const lines = () => stdout.split('\n').filter(Boolean);
  const parsed = () =>
    lines().flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    waitForLog(match) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = parsed().find(match);
          if (found) {
            waiters.delete(check);
            resolve(found);
          }
        };
        waiters.add(check);
        void exited.then((code) => {
          waiters.delete(check);
          reject(new Error(`the server exited (${code}) first; stderr:\n${stderr}\nstdout:\n${stdout}`));
        });
        check();
      });
    },
  };
}
