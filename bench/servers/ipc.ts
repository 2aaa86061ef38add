/**
 * The child side of the parent ⇄ server conversation: the child boots its server, announces the
 * URL, then answers commands (memory readings, inserting records, minting tokens, key swaps).
 * Servers run in their own process so the load generator never competes for their event loop.
 */
export interface CommandRequest {
  id: number;
  command: string;
  args: unknown[];
}

export interface CommandReply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export interface ReadyMessage {
  type: 'ready';
  url: string;
}

// biome-ignore lint/suspicious/noExplicitAny: commands take JSON arguments of their own shapes.
export type Commands = Record<string, (...args: any[]) => Promise<unknown>>;

function send(message: CommandReply | ReadyMessage): void {
  if (!process.send) throw new Error('a benchmark server must be started with an IPC channel');
  process.send(message);
}

export function serveCommands(url: string, commands: Commands, stop: () => Promise<void>): void {
  process.on('message', (message: CommandRequest) => {
    if (message.command === 'stop') {
      // Exiting normally (not by signal) lets --cpu-prof write its profile.
      void stop().finally(() => {
        send({ id: message.id, ok: true });
        process.disconnect?.();
        process.exit(0);
      });
      return;
    }
    const handler = commands[message.command];
    if (!handler) {
      send({ id: message.id, ok: false, error: `unknown command ${message.command}` });
      return;
    }
    handler(...message.args).then(
      (result) => send({ id: message.id, ok: true, result }),
      (error: unknown) => send({ id: message.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
  // A parent that dies without saying stop (killed, crashed, its output pipe closed) takes its servers with it.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', url });
}

/** Resident set size after a full collection (children run with --expose-gc). */
export function residentBytes(): { rss: number; heapUsed: number } {
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  collect?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}
