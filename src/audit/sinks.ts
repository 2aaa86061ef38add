/** Where audit events go: a log line each, and the stored trail. */
import type { AuditRepository } from '../storage/port.ts';
import type { AuditBus } from './bus.ts';
import type { Logger } from './logger.ts';

/**
 * Events that go to the log only. `token.issued` fires on every token response — thousands a
 * second under machine-to-machine load — and the embedded store keeps its collections in memory,
 * so storing it would grow memory without bound; the log pipeline is where that volume belongs.
 */
export const LOG_ONLY_EVENTS = new Set(['token.issued']);

export function attachAuditSinks(bus: AuditBus, logger: Logger, repo: AuditRepository): void {
  const log = logger.child({ channel: 'audit' });
  bus.subscribe((event) => {
    const { detail, ...fields } = event;
    const level = event.type.endsWith('.failed') || event.type.includes('error') || event.type.includes('reuse') ? 'warn' : 'info';
    log[level]({ ...fields, ...(detail ? { detail } : {}) }, event.type);
  });
  bus.subscribe((event) => {
    if (!LOG_ONLY_EVENTS.has(event.type)) return repo.append(event);
  });
}
