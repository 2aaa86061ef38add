/**
 * Every command `portcullis` knows. To add one, write it in its own file as a `Command` and
 * list it here; names may have several words (`keys list`).
 */
import { dbIndexes } from './db-indexes.ts';
import { keysList, keysRevoke, keysRotate } from './keys.ts';
import { lockoutCommands } from './lockout.ts';
import type { CommandTable } from './run.ts';

export const COMMANDS: CommandTable = {
  'db:indexes': dbIndexes,
  ...lockoutCommands,
  'keys list': keysList,
  'keys rotate': keysRotate,
  'keys revoke': keysRevoke,
};
