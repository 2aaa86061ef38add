/**
 * The audit bus: security events from oidc-provider and from our own domains flow through here
 * to every subscriber (the log, the stored trail, metrics). An event carries identifiers, never
 * secrets: no passwords, no full tokens, no codes.
 */
import { randomUUID } from 'node:crypto';
import { currentRequest } from '../platform/request-context.ts';
import type { AuditRecord } from '../storage/port.ts';

export interface AuditInput {
  type: string;
  accountId?: string | undefined;
  clientId?: string | undefined;
  ip?: string | undefined;
  detail?: Record<string, unknown> | undefined;
}

export type AuditSubscriber = (event: AuditRecord) => void | Promise<void>;

export interface AuditBus {
  emit(input: AuditInput): AuditRecord;
  subscribe(subscriber: AuditSubscriber): () => void;
  /** Resolves once every subscriber has finished with the events emitted so far. */
  flush(): Promise<void>;
}

export function createAuditBus(onSubscriberError: (error: unknown, event: AuditRecord) => void): AuditBus {
  const subscribers = new Set<AuditSubscriber>();
  const pending = new Set<Promise<void>>();
  return {
    emit(input) {
      const request = currentRequest();
      const event: AuditRecord = { id: randomUUID(), at: new Date(), type: input.type };
      if (request) event.requestId = request.requestId;
      const ip = input.ip ?? request?.ip;
      if (ip) event.ip = ip;
      if (input.accountId) event.accountId = input.accountId;
      if (input.clientId) event.clientId = input.clientId;
      if (input.detail) event.detail = input.detail;
      for (const subscriber of subscribers) {
        const done = Promise.resolve()
          .then(() => subscriber(event))
          .catch((error: unknown) => onSubscriberError(error, event))
          .finally(() => pending.delete(done));
        pending.add(done);
      }
      return event;
    },
    subscribe(subscriber) {
      subscribers.add(subscriber);
      return () => subscribers.delete(subscriber);
    },
    async flush() {
      await Promise.all([...pending]);
    },
  };
}
