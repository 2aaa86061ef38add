/**
 * Start-up check for finding 20: with OUTBOUND_ALLOW_PRIVATE_ADDRESSES=false, every client URI the
 * provider would fetch and its guard would refuse is named in a warning, so an operator does not
 * learn it from a relying party that never got its logout tokens. Clients come from the bootstrap
 * file (there is no dynamic registration); names are resolved as the provider would, and a name
 * that does not resolve within a second is left to the request itself.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Logger } from '../platform/logger.ts';
import type { Store } from '../storage/port.ts';
import { isSpecialUseAddress } from './special-use.ts';

const FETCHED = ['backchannel_logout_uri', 'jwks_uri', 'sector_identifier_uri'] as const;
const LOOKUP_TIMEOUT_MS = 1000;

async function addresses(hostname: string): Promise<string[]> {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return [host];
  const timeout = new Promise<never[]>((resolve) => setTimeout(() => resolve([]), LOOKUP_TIMEOUT_MS).unref());
  const resolved = lookup(host, { all: true }).then(
    (all) => all.map((entry) => entry.address),
    () => [],
  );
  return Promise.race([resolved, timeout]);
}

export async function warnAboutRefusedTargets(store: Store, logger: Logger): Promise<void> {
  for (const { id } of await store.records.list('bootstrap-client')) {
    const client = (await store.model('Client').find(id)) as Record<string, unknown> | undefined;
    for (const metadata of FETCHED) {
      const uri = client?.[metadata];
      if (typeof uri !== 'string' || !URL.canParse(uri)) continue;
      const found = await addresses(new URL(uri).hostname);
      if (!found.some(isSpecialUseAddress)) continue;
      logger.warn(
        { client_id: id, metadata, uri },
        'outbound: this client URI resolves to a special-use (loopback, private or reserved) address and will be refused; set OUTBOUND_ALLOW_PRIVATE_ADDRESSES=true to allow it',
      );
    }
  }
}
