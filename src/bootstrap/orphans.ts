/**
 * Entries bootstrap once created and the file no longer lists (finding 18). Removing a client or
 * user from the file does not remove it from the store: deleting on a missing line would make a
 * typo or a truncated file destroy accounts. Instead every start warns, naming each one still
 * active, until an operator removes it from the store (README § Bootstrap says how). Records of
 * entries already gone from the store are forgotten, so the warning ends when the entry does.
 */

import { normaliseUsername } from '../accounts/service.ts';
import type { Logger } from '../platform/logger.ts';
import type { Store } from '../storage/port.ts';
import type { BootstrapFile } from './schema.ts';

export async function warnAboutOrphans(file: BootstrapFile, store: Store, logger: Logger): Promise<void> {
  const clientIds = new Set(file.clients.map((entry) => entry.client_id));
  for (const { id } of await store.records.list('bootstrap-client')) {
    if (clientIds.has(id)) continue;
    if (!(await store.model('Client').find(id))) {
      await store.records.delete('bootstrap-client', id);
      continue;
    }
    logger.warn(
      { client_id: id },
      'bootstrap: client was removed from the bootstrap file but is still registered and can get tokens; remove it from the store to retire it',
    );
  }
  const usernames = new Set(file.users.map((user) => normaliseUsername(user.username)));
  for (const { id } of await store.records.list('bootstrap-user')) {
    if (usernames.has(id)) continue;
    const account = await store.accounts.findByUsername(id);
    if (!account) {
      await store.records.delete('bootstrap-user', id);
      continue;
    }
    if (account.status !== 'active') continue;
    logger.warn(
      { username: id },
      'bootstrap: user was removed from the bootstrap file but is still active and can sign in; disable or remove the account in the store',
    );
  }
}
