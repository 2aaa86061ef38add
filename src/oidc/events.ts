/**
 * Provider events that matter for security, translated into audit events. oidc-provider emits
 * them with its context; we pick identifiers only (client, account, grant type, error code).
 */
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AuditBus } from '../audit/bus.ts';
import type { Logger } from '../platform/logger.ts';

type ErrorLike = { error?: string; error_description?: string; message?: string };

function ids(ctx: KoaContextWithOIDC | undefined) {
  return {
    clientId: ctx?.oidc?.client?.clientId,
    accountId: ctx?.oidc?.session?.accountId ?? ctx?.oidc?.entities?.Account?.accountId,
  };
}

export function subscribeProviderEvents(provider: Provider, audit: AuditBus, logger: Logger): void {
  const on = provider.on.bind(provider) as (event: string, listener: (...args: never[]) => void) => void;

  on('grant.success', (ctx: KoaContextWithOIDC) => {
    audit.emit({ type: 'token.issued', ...ids(ctx), detail: { grant_type: ctx.oidc.params?.grant_type } });
  });
  on('grant.error', (ctx: KoaContextWithOIDC, error: ErrorLike) => {
    // Whether the client has a secret to guess: only then is its failed authentication worth storing
    // (audit/stored-events.ts); anyone can fail in a public client's name.
    const method = ctx?.oidc?.client?.clientAuthMethod;
    const detail = { grant_type: ctx?.oidc?.params?.grant_type, error: error.error, ...(method ? { client_auth: method } : {}) };
    audit.emit({ type: 'token.failed', ...ids(ctx), detail });
  });
  on('grant.revoked', (ctx: KoaContextWithOIDC, grantId: string) => {
    // The client revoked it (revocation endpoint, or a replayed code): the client acted, not the person.
    const clientId = ctx?.oidc?.client?.clientId;
    audit.emit({ type: 'grant.revoked', ...ids(ctx), actor: clientId ? { kind: 'client', id: clientId } : undefined, detail: { grantId } });
  });
  on('authorization.error', (ctx: KoaContextWithOIDC, error: ErrorLike) => {
    audit.emit({ type: 'authorization.failed', ...ids(ctx), detail: { error: error.error } });
  });
  on('end_session.success', (ctx: KoaContextWithOIDC) => {
    audit.emit({ type: 'logout', ...ids(ctx) });
  });
  on('backchannel.success', (ctx: KoaContextWithOIDC, client: { clientId: string }, accountId: string) => {
    audit.emit({ type: 'backchannel_logout.sent', clientId: client?.clientId, accountId, detail: {} });
    void ctx;
  });
  on('backchannel.error', (ctx: KoaContextWithOIDC, error: ErrorLike, client: { clientId: string }, accountId: string) => {
    audit.emit({ type: 'backchannel_logout.error', clientId: client?.clientId, accountId, detail: { error: error.message } });
    void ctx;
  });
  for (const event of ['introspection.error', 'revocation.error', 'userinfo.error', 'check_session_origin.error']) {
    on(event, (ctx: KoaContextWithOIDC, error: ErrorLike) => {
      logger.debug({ event, error: error.error, clientId: ctx?.oidc?.client?.clientId }, 'provider request rejected');
    });
  }
  on('server_error', (ctx: KoaContextWithOIDC, error: Error) => {
    logger.error({ err: error, path: ctx?.path }, 'provider server_error');
  });
}
