/** The parent side: starts a server in a child process and talks to it. */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { shippedNodeFlags } from '../../scripts/node-flags.ts';
import type { CommandReply, ReadyMessage } from './ipc.ts';

export interface ServerChild {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  call<T>(command: string, ...args: unknown[]): Promise<T>;
  /** Asks the server to close and exit; kills this child if it does not within 10 s. */
  stop(): Promise<void>;
}

export interface ChildOptions {
  env: Record<string, string>;
  cpuProfileDir?: string | undefined;
}

const STARTUP_TIMEOUT_MS = 60_000;

export async function startServerChild(name: string, entry: string, options: ChildOptions): Promise<ServerChild> {
  const execArgv = [
    // Both servers run on the runtime `npm start` sets up: the comparison is of code, not of flags.
    ...shippedNodeFlags(),
    '--expose-gc',
    ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`] : []),
  ];
  const child: ChildProcess = fork(fileURLToPath(new URL(entry, import.meta.url)), [], {
    env: { ...process.env, ...options.env },
    execArgv,
    // Server logs would interleave with the table; warnings and crashes still reach stderr.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let exited = false;

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${STARTUP_TIMEOUT_MS / 1000} s`)), STARTUP_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited during start-up with code ${code}`));
    });
    child.on('message', (message: ReadyMessage | CommandReply) => {
      if ('type' in message && message.type === 'ready') {
        clearTimeout(timer);
        resolve(message.url);
        return;
      }
      const reply = message as CommandReply;
      const waiter = pending.get(reply.id);
      if (!waiter) return;
      pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(new Error(`${name}: ${reply.error}`));
    });
  });
  child.on('exit', (code) => {
    exited = true;
    for (const waiter of pending.values()) waiter.reject(new Error(`${name} exited with code ${code}`));
    pending.clear();
  });

  const call = <T>(command: string, ...args: unknown[]): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (exited) {
        reject(new Error(`${name} is not running`));
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ id, command, args });
    });

  return {
    name,
    url,
    pid: child.pid as number,
    call,
    async stop() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await call('stop').catch(() => undefined);
      await gone;
      clearTimeout(timer);
    },
  };
}
