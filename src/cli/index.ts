/** Operator commands: `node src/cli/index.ts <command>` or `npm run portcullis -- <command>`. */
import { loadConfig } from '../config/index.ts';
import { COMMANDS } from './commands.ts';
import { runCli } from './run.ts';
import { readSecretFromStdin } from './secret-input.ts';

process.exitCode = await runCli(process.argv.slice(2), COMMANDS, {
  config: () => loadConfig(),
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  readSecret: readSecretFromStdin,
});
