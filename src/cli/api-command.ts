/**
 * The shape of every command that calls the admin API: parse the line (args.ts, with --url,
 * --token-file and --json always understood), then run against the one client
 * (operator-client.ts). Errors are thrown (UsageError, CommandError) and runCli prints them with
 * their exit code, so each command reads as what it sends and what it prints.
 */
import type { ParseArgsConfig } from 'node:util';
import { CONNECTION, JSON_OUTPUT, type Positionals, parse } from './args.ts';
import { type AdminClient, adminClient } from './operator-client.ts';
import type { CliContext, Command } from './run.ts';

type Options = NonNullable<ParseArgsConfig['options']>;
type AllOptions<O extends Options> = O & typeof CONNECTION & typeof JSON_OUTPUT;

export interface ApiCall<O extends Options> {
  values: ReturnType<typeof parse<AllOptions<O>>>['values'];
  positionals: string[];
  json: boolean;
  io: CliContext;
  /** Resolves the credential on first use, so usage errors come before "no credential". */
  client(): Promise<AdminClient>;
  usage: string;
}

export interface ApiCommandSpec<O extends Options> {
  summary: string;
  /** After `portcullis `, e.g. `users show <user> [--json]`. */
  usage: string;
  options?: O;
  positionals?: Positionals;
  run(call: ApiCall<O>): Promise<number | undefined>;
}

export function apiCommand<O extends Options = Record<never, never>>(spec: ApiCommandSpec<O>): Command {
  return {
    summary: spec.summary,
    async run(args, io) {
      const options = { ...(spec.options ?? ({} as O)), ...CONNECTION, ...JSON_OUTPUT } as AllOptions<O>;
      const { values, positionals } = parse(args, options, spec.usage, spec.positionals);
      let client: Promise<AdminClient> | undefined;
      const connection = values as { url?: string; 'token-file'?: string; json?: boolean };
      const code = await spec.run({
        values,
        positionals,
        json: connection.json === true,
        io,
        usage: spec.usage,
        client: () => {
          client ??= adminClient(io, { url: connection.url, 'token-file': connection['token-file'] });
          return client;
        },
      });
      return code ?? 0;
    },
  };
}

/** A path segment from what a person typed (ids, names, resource identifiers). */
export const segment = (value: string): string => encodeURIComponent(value);
