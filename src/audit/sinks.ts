/** Where audit events go: a log line each, and — for the events stored-events.ts keeps — the stored trail. */

import type { Logger } from '../platform/logger.ts';
import type { AuditBus } from './bus.ts';
import type { AuditChain } from './chain.ts';
import { isStoredEvent } from './stored-events.ts';

export { LOG_ONLY_EVENTS } from './stored-events.ts';

/** `chain`: stored records go through this process's chain (chain.ts), which stamps seq and MACs. */
export function attachAuditSinks(bus: AuditBus, logger: Logger, chain: Pick<AuditChain, 'append'>): void {
  // No redaction on this channel: the bus already keeps secrets out of every event (catalogue
  // allow-list and mask, detail-filter.ts), and the redaction pass costs more than the line itself
  // on the token hot path (it copies the event to look for keys that cannot be there).
  const log = logger.child({ channel: 'audit' }, { redact: [] });
  bus.subscribe((event) => {
    const { detail, ...fields } = event;
    const level = event.type.endsWith('.failed') || event.type.includes('error') || event.type.includes('reuse') ? 'warn' : 'info';
    log[level]({ ...fields, ...(detail ? { detail } : {}) }, event.type);
  });
  bus.subscribe((event) => {
    if (!isStoredEvent(event)) return;
    return chain.append(event).then(() => undefined);
  });
}
