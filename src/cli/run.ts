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
  /**
   * Reads one secret (a password) from the prompt or stdin, never from argv. Default: the
   * process's stdin (secret-input.ts); tests running commands in-process pass their own.
   */
  readSecret?(prompt: string, options?: { confirm?: boolean }): Promise<string>;
}

export interface Command {
  /** One line shown by `help`. */
  summary: string;
  /** Gets the arguments after the command words; returns the exit code. */
  run(args: string[], context: CliContext): Promise<number>;
}

export type CommandTable = Readonly<Record<string, Command>>;

/**
 * 0 done; 1 the command failed (server error, not found, conflict, unreachable server, local
 * trouble); 2 the command line was not understood; 3 the server refused the credential or its
 * scope (401/403): a script can tell "fix the token or the role" from "try again".
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3 } as const;

const EXIT_HELP = [
  'exit codes:',
  '  0  done',
  '  1  failed: the server answered with an error (not found, conflict, bad input), could not be reached, or a local step failed',
  '  2  usage: the command line was not understood (nothing was sent)',
  '  3  refused: the server refused the credential or its permissions (401/403); log in again or ask for a role',
];

/** A command line that does not fit the command: runCli prints it with the usage line, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly usage: string | undefined;
  constructor(message: string, usage?: string) {
    super(message);
    this.usage = usage;
  }
}

/** A failure a command has already described; carries its exit code. */
export class CommandError extends Error {
  override name = 'CommandError';
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.failed) {
    super(message);
    this.exitCode = exitCode;
  }
}

function usage(commands: CommandTable): string[] {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  return [
    'usage: portcullis <command> [arguments]',
    '',
    ...Object.entries(commands).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`),
    `  ${'help'.padEnd(width)}  show this list`,
    '',
    'common options: --url <base> (else OPERATOR_URL), --token-file <path> (else OPERATOR_TOKEN, then the token from `login`,',
    '  then outside production DATA_DIR/dev-secrets.json), --json (machine-readable output)',
    '',
    ...EXIT_HELP,
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
    if (error instanceof UsageError) {
      context.err(`${found.name}: ${error.message}`);
      if (error.usage) context.err(`usage: portcullis ${error.usage}`);
      return EXIT.usage;
    }
    // Commands throw CommandError for expected failures; the rest (ConfigError among them) is exit 1.
    context.err(`${found.name}: ${error instanceof Error ? error.message : String(error)}`);
    return error instanceof CommandError ? error.exitCode : EXIT.failed;
  }
}
