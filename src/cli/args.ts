/**
 * Command-line parsing for every command: node:util parseArgs, strict (an unknown flag is a usage
 * error, exit 2), plus the one rule parseArgs cannot know: a password, secret or token never
 * comes from argv, where it would stay in the shell history and show in `ps` to every local user.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './run.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Where the server is and which credential to send (operator-client.ts). */
export const CONNECTION = {
  url: { type: 'string' },
  'token-file': { type: 'string' },
} as const satisfies Options;

export const JSON_OUTPUT = { json: { type: 'boolean' } } as const satisfies Options;

/** `--password x`, `--password=x`, `--client-secret …`, `--token …`: refused before anything else. */
const SECRET_ON_ARGV = /^--(password|pass|passwd|secret|client-secret|client_secret|password-hash|token|operator-token)(=|$)/;

export function refuseSecretsOnArgv(args: readonly string[], usage: string): void {
  for (const arg of args) {
    if (arg === '--') return;
    if (SECRET_ON_ARGV.test(arg)) {
      throw new UsageError(
        `${arg.split('=')[0]} is refused: passwords, secrets and tokens are never taken from the command line ` +
          '(they would stay in the shell history and show in ps); type it at the prompt or pipe it on stdin ' +
          '(a token: --token-file or OPERATOR_TOKEN)',
        usage,
      );
    }
  }
}

export interface Positionals {
  min: number;
  max: number;
}

/** Parses `args` against `options`; wrong flags or the wrong number of positionals throw a UsageError. */
export function parse<O extends Options>(args: string[], options: O, usage: string, positionals: Positionals = { min: 0, max: 0 }) {
  refuseSecretsOnArgv(args, usage);
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message, usage);
  }
  const count = parsed.positionals.length;
  if (count < positionals.min) throw new UsageError('missing argument', usage);
  if (count > positionals.max) throw new UsageError(`unexpected argument: ${parsed.positionals[positionals.max]}`, usage);
  return parsed;
}

/** A whole number within bounds, for --limit and the like. */
export function integerOption(value: string | undefined, name: string, min: number, max: number, usage: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`, usage);
  return number;
}
