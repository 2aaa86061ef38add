/**
 * First run: while the store holds no person who could sign in, start-up says how to create the
 * first administrator (through the admin API, with the break-glass token the CLI finds beside the
 * server). Soft-deleted people do not count: nobody can sign in as them.
 */
import type { Logger } from '../platform/logger.ts';
import type { AccountRepository } from '../storage/port.ts';

export const FIRST_RUN_HINT = 'no people yet: create the first administrator with  npm run portcullis -- users add <name> --admin-role admin';

export async function announceFirstRun(accounts: Pick<AccountRepository, 'search'>, logger: Logger): Promise<boolean> {
  // One bounded read: search leaves soft-deleted people out, disabled ones in.
  const [someone] = await accounts.search({ limit: 1 });
  if (someone) return false;
  logger.warn(FIRST_RUN_HINT);
  return true;
}
