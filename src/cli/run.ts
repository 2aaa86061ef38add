/**
 * The command dispatcher: finds the command whose words start the argument list (longest
 * match, so `keys list` and `keys rotate` can sit beside `keys`), runs it, and turns what it
 * returns or throws into an exit code. Commands live in commands.ts, one file each.
 */
import type { Config } from '../config/index.ts';

export interface CliContext {
  /** Reads configuration when a command needs it, so `help` works even with a broken environment. */
  config(): Config;
  out(line: string): void;
  err(line: string): void;
}

export interface Command {
  /** One line shown by `help`. */
  summary: string;
  /** Gets the arguments after the command words; returns the exit code. */
  run(args: string[], context: CliContext): Promise<number>;
}

export type CommandTable = Readonly<Record<string, Command>>;

/** 0 done, 1 the command failed, 2 the command line was not understood. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

function usage(commands: CommandTable): string[] {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  return [
    'usage: portcullis <command> [arguments]',
    '',
    ...Object.entries(commands).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`),
    `  ${'help'.padEnd(width)}  show this list`,
  ];
}

function match(argv: string[], commands: CommandTable): { name: string; args: string[] } | undefined {
  let best: { name: string; args: string[] } | undefined;
  for (const name of Object.keys(commands)) {
    const words = name.split(' ');
    const matches = words.every((word, i) => argv[i] === word);
    if (matches && (!best || words.length > best.name.split(' ').length)) {
      best = { name, args: argv.slice(words.length) };
    }
  }
  return best;
}

export async function runCli(argv: string[], commands: CommandTable, context: CliContext): Promise<number> {
  const [first] = argv;
  if (first === 'help' || first === '--help' || first === '-h') {
    for (const line of usage(commands)) context.out(line);
    return EXIT.ok;
  }
  const found = match(argv, commands);
  if (!found) {
    context.err(first ? `unknown command: ${argv.join(' ')}` : 'no command given');
    for (const line of usage(commands)) context.err(line);
    return EXIT.usage;
  }
  const command = commands[found.name] as Command;
  try {
    return await command.run(found.args, context);
  } catch (error) {
    // Commands report expected failures themselves; this catches the rest (ConfigError among them).
    context.err(`${found.name}: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.failed;
  }
}
