/** Where audit events go: a log line each, and the stored trail. */
import type { AuditRepository } from '../storage/port.ts';
import type { AuditBus } from './bus.ts';
import type { Logger } from './logger.ts';

export function attachAuditSinks(bus: AuditBus, logger: Logger, repo: AuditRepository): void {
  const log = logger.child({ channel: 'audit' });
  bus.subscribe((event) => {
    const { detail, ...fields } = event;
    const level = event.type.endsWith('.failed') || event.type.includes('error') || event.type.includes('reuse') ? 'warn' : 'info';
    log[level]({ ...fields, ...(detail ? { detail } : {}) }, event.type);
  });
  bus.subscribe((event) => repo.append(event));
}
