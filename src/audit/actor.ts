/**
 * Who an audit event names as its actor when the emit site does not say. In order:
 * 1. the admin API caller, when the event happens inside an admin request (admin/auth.ts puts
 *    `{kind:'admin', id: <token sub>}` or `{kind:'operator'}` on the request context): an
 *    administrator who ends a person's sessions is the actor of `session.ended`, not the person;
 * 2. outside any request, the server itself (`{kind:'system'}`): nobody else can be acting;
 * 3. the catalogue entry's rule (catalogue.ts):
 *    - `person` (the default): the account the event is about, as the pages and the console know
 *      it; for a failed sign-in that is the identity claimed, not proven;
 *    - `anonymous`: someone at the pages whose identity the event cannot know (a reset request,
 *      a sign-up with a taken address, a throttled attempt): `{kind:'person'}` without an id;
 *    - `token`: a token request: the person whose grant it is, else the client (client
 *      credentials, a failed client authentication);
 *    - `system`: the server's own decision or timer (key rotation, the outbox, a lockout policy);
 *    - `admin`: only the admin caller of rule 1; none when the caller is not yet authenticated.
 * A type missing from the catalogue follows `person`.
 */
import type { RequestContext } from '../platform/request-context.ts';
import type { AuditActor } from '../storage/port.ts';

export type ActorRule = 'person' | 'anonymous' | 'token' | 'system' | 'admin';

interface Named {
  accountId?: string | undefined;
  clientId?: string | undefined;
}

export function defaultActor(rule: ActorRule | undefined, input: Named, request: RequestContext | undefined): AuditActor | undefined {
  if (request?.actor) return { ...request.actor };
  // No request, no caller: a timer or a background job (retention, the outbox, scheduled rotation).
  if (!request && rule !== 'admin') return { kind: 'system' };
  switch (rule ?? 'person') {
    case 'person':
      return input.accountId ? { kind: 'person', id: input.accountId } : { kind: 'person' };
    case 'anonymous':
      return { kind: 'person' };
    case 'token':
      if (input.accountId) return { kind: 'person', id: input.accountId };
      return input.clientId ? { kind: 'client', id: input.clientId } : { kind: 'client' };
    case 'system':
      return { kind: 'system' };
    case 'admin':
      return undefined;
  }
}
