/** Where audit events go: a log line each, and — for the events stored-events.ts keeps — the stored trail. */

import type { Logger } from '../platform/logger.ts';
import type { AuditRepository } from '../storage/port.ts';
import type { AuditBus } from './bus.ts';
import { isStoredEvent } from './stored-events.ts';

export { LOG_ONLY_EVENTS } from './stored-events.ts';

export interface AuditSinkOptions {
  /** AUDIT_RETENTION, seconds: each stored record carries the moment it may be deleted. */
  retentionSeconds: number;
}

export function attachAuditSinks(bus: AuditBus, logger: Logger, repo: AuditRepository, options: AuditSinkOptions): void {
  const log = logger.child({ channel: 'audit' });
  bus.subscribe((event) => {
    const { detail, ...fields } = event;
    const level = event.type.endsWith('.failed') || event.type.includes('error') || event.type.includes('reuse') ? 'warn' : 'info';
    log[level]({ ...fields, ...(detail ? { detail } : {}) }, event.type);
  });
  bus.subscribe((event) => {
    if (!isStoredEvent(event)) return;
    return repo.append({ ...event, expiresAt: new Date(event.at.getTime() + options.retentionSeconds * 1000) });
  });
}
