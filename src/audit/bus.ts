/**
 * The audit bus: security events from oidc-provider and from our own domains flow through here
 * to every subscriber (the log, the stored trail, metrics). An event carries identifiers, never
 * secrets: no passwords, no full tokens, no codes. The bus enforces that for `detail` with the
 * catalogue's allow-list and a mask for secret-looking values (detail-filter.ts), and fills in
 * what the request context knows (request id, address, user agent) and the defaults of `actor`
 * (actor.ts) and `outcome` (outcome.ts).
 *
 * Emit is on the token hot path (`token.issued` on every token response): subscribers run
 * synchronously, and only a subscriber that returns a promise costs a tracked promise (for flush()).
 */
import { randomUUID } from 'node:crypto';
import { currentRequest } from '../platform/request-context.ts';
import type { AuditActor, AuditRecord } from '../storage/port.ts';
import { defaultActor } from './actor.ts';
import { catalogueEntry } from './catalogue.ts';
import { filterDetail } from './detail-filter.ts';
import { outcomeOf } from './outcome.ts';

export interface AuditInput {
  type: string;
  accountId?: string | undefined;
  clientId?: string | undefined;
  ip?: string | undefined;
  /** Who acted, when the default (actor.ts) would be wrong. */
  actor?: AuditActor | undefined;
  /** Success or failure, when the type's ending (outcome.ts) would say the wrong thing. */
  outcome?: 'success' | 'failure' | undefined;
  /** Only for an event about another request than the current one; the bus takes the current one's. */
  userAgent?: string | undefined;
  detail?: Record<string, unknown> | undefined;
}

export type AuditSubscriber = (event: AuditRecord) => void | Promise<void>;

export interface AuditBus {
  emit(input: AuditInput): AuditRecord;
  subscribe(subscriber: AuditSubscriber): () => void;
  /** Resolves once every subscriber has finished with the events emitted so far. */
  flush(): Promise<void>;
}

/** Real user agents are well under 256 characters; a crafted one must not grow every record. */
export const MAX_USER_AGENT = 256;

export function createAuditBus(onSubscriberError: (error: unknown, event: AuditRecord) => void): AuditBus {
  const subscribers = new Set<AuditSubscriber>();
  const pending = new Set<Promise<void>>();

  function deliver(subscriber: AuditSubscriber, event: AuditRecord): void {
    let result: void | Promise<void>;
    try {
      result = subscriber(event);
    } catch (error) {
      onSubscriberError(error, event);
      return;
    }
    if (!result) return;
    const done: Promise<void> = result.then(
      () => {
        pending.delete(done);
      },
      (error: unknown) => {
        pending.delete(done);
        onSubscriberError(error, event);
      },
    );
    pending.add(done);
  }

  return {
    emit(input) {
      const request = currentRequest();
      const entry = catalogueEntry(input.type);
      const event: AuditRecord = { id: randomUUID(), at: new Date(), type: input.type };
      if (request) event.requestId = request.requestId;
      const ip = input.ip ?? request?.ip;
      if (ip) event.ip = ip;
      if (input.accountId) event.accountId = input.accountId;
      if (input.clientId) event.clientId = input.clientId;
      const userAgent = input.userAgent ?? request?.userAgent;
      if (userAgent) event.userAgent = userAgent.length > MAX_USER_AGENT ? userAgent.slice(0, MAX_USER_AGENT) : userAgent;
      const actor = input.actor ?? defaultActor(entry?.actor, input, request);
      if (actor) event.actor = actor;
      event.outcome = input.outcome ?? outcomeOf(input.type);
      if (input.detail) event.detail = filterDetail(entry, input.detail);
      for (const subscriber of subscribers) deliver(subscriber, event);
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
