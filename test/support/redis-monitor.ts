/**
 * What clients send a test Redis, as MONITOR reports it: each command a client sent (round trips
 * are these, MULTI…EXEC aside), without the ones a Lua script runs (MONITOR names their source
 * `lua`). `record()` runs work and returns the commands it caused. ECHO sentinels mark the start
 * and the end, so nothing waits for time to pass: MONITOR reports with a lag, and on a busy machine
 * a command sent before `record()` (the previous request's) used to be reported inside it.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export interface SentCommand {
  name: string;
  args: string[];
}

export interface CommandRecorder {
  record(work: () => Promise<unknown>): Promise<SentCommand[]>;
  close(): void;
}

export async function recordCommands(url: string): Promise<CommandRecorder> {
  const control = new Redis(url);
  const monitor = await control.monitor();
  let sink: ((command: SentCommand, source: string) => void) | undefined;
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    const [name = '', ...rest] = args;
    sink?.({ name: name.toLowerCase(), args: rest }, source);
  });
  return {
    async record(work) {
      const start = `start-${randomUUID()}`;
      const sentinel = `end-${randomUUID()}`;
      const seen: SentCommand[] = [];
      let recording = false;
      let started: () => void = () => undefined;
      const begun = new Promise<void>((resolve) => {
        started = resolve;
      });
      const ended = new Promise<void>((resolve) => {
        sink = (command, source) => {
          if (command.name === 'echo' && command.args[0] === start) {
            recording = true;
            started();
          } else if (command.name === 'echo' && command.args[0] === sentinel) resolve();
          else if (recording && source !== 'lua') seen.push(command);
        };
      });
      await control.echo(start);
      await begun;
      await work();
      await control.echo(sentinel);
      await ended;
      sink = undefined;
      return seen;
    },
    close() {
      monitor.disconnect();
      control.disconnect();
    },
  };
}
