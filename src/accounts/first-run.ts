/**
 * First run: while the store holds no person who could sign in, start-up says how to create the
 * first administrator (through the admin API, with the break-glass token the CLI finds beside the
 * server). Soft-deleted people do not count: nobody can sign in as them.
 */
import type { Logger } from '../platform/logger.ts';
import type { AccountRepository } from '../storage/port.ts';

export const FIRST_RUN_HINT = 'no people yet: create the first administrator with  npm run portcullis -- users add <name> --admin-role admin';

export async function announceFirstRun(accounts: Pick<AccountRepository, 'list'>, logger: Logger): Promise<boolean> {
  // One read of every account, once at start: the port has no bounded "any person?" query yet.
  const people = await accounts.list();
  if (people.some((person) => !person.deletedAt)) return false;
  logger.warn(FIRST_RUN_HINT);
  return true;
}
