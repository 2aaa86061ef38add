/**
 * The applications a person has let in: every client holding a grant of theirs, grants grouped by
 * client (a person who signed in to one app from three browsers sees one app), and revoking one.
 *
 * "Last used" is the newest `iat` among the grants' stored access and refresh tokens, read here
 * when the page is shown: nothing is written on the token path to keep it. Tokens that are never
 * stored (JWT access tokens for a resource server) do not move it; a refresh of the family does.
 *
 * Revoking an app ends each of its grants with all their tokens (oidc/grants.ts), takes the app
 * out of the person's browser sessions (so the sessions page stops listing it, and the next visit
 * to the app asks the person again), and tells the app by back-channel logout for every session
 * id it knew: those on the family's refresh tokens and those in the browser sessions.
 * Portcullis's own clients (oidc/internal-clients.ts) are neither listed nor revocable here.
 */
import type Provider from 'oidc-provider';
import type { AuditBus } from '../audit/bus.ts';
import type { BackchannelSender } from '../oidc/backchannel.ts';
import type { RevokeGrant } from '../oidc/grants.ts';
import { isInternalClient } from '../oidc/internal-clients.ts';
import { epochSeconds } from '../platform/clock.ts';
import type { ModelPayload, ModelStore } from '../storage/port.ts';
import { endGrant } from './account-grants.ts';

export interface ConnectedApp {
  clientId: string;
  name: string;
  /** OpenID Connect scopes granted (openid, profile, …), across the app's grants. */
  scopes: string[];
  /** Resource servers (RFC 8707) and the scopes granted at each. */
  resources: Array<{ identifier: string; scopes: string[] }>;
  /** When the oldest of the app's grants was made. */
  since: Date;
  /** The newest stored token's `iat`; undefined when none is stored. */
  lastUsedAt: Date | undefined;
}

export interface ConnectedApps {
  list(accountId: string): Promise<ConnectedApp[]>;
  /** Ends every grant of the client for the person; resolves with how many (0: not connected). */
  revoke(accountId: string, clientId: string, reason: string): Promise<number>;
}

export interface ConnectedAppsDeps {
  grants: ModelStore;
  accessTokens: ModelStore;
  refreshTokens: ModelStore;
  sessions: ModelStore;
  provider: () => Provider;
  revokeGrant: RevokeGrant;
  backchannel: BackchannelSender;
  audit: AuditBus;
}

type Record_ = { id: string; payload: ModelPayload };

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
const words = (value: unknown) => (typeof value === 'string' ? value.split(' ').filter(Boolean) : []);
const epoch = (value: unknown) => (typeof value === 'number' ? value : undefined);

function openidScopes(grant: ModelPayload): string[] {
  const openid = grant.openid as { scope?: unknown } | undefined;
  return words(openid?.scope);
}

function resourceScopes(grant: ModelPayload): Array<[string, string[]]> {
  const resources = grant.resources;
  if (!resources || typeof resources !== 'object') return [];
  return Object.entries(resources as Record<string, unknown>).map(([identifier, scope]) => [identifier, words(scope)]);
}

function authorizationsOf(payload: ModelPayload): Record<string, { sid?: string; grantId?: string }> {
  const value = payload.authorizations;
  return value && typeof value === 'object' ? (value as Record<string, { sid?: string; grantId?: string }>) : {};
}

export function createConnectedApps(deps: ConnectedAppsDeps): ConnectedApps {
  async function grantsByClient(accountId: string): Promise<Map<string, Record_[]>> {
    const byClient = new Map<string, Record_[]>();
    for (const grant of await deps.grants.findByAccountId(accountId)) {
      const clientId = text(grant.payload.clientId);
      if (!clientId || isInternalClient(clientId)) continue;
      byClient.set(clientId, [...(byClient.get(clientId) ?? []), grant]);
    }
    return byClient;
  }

  async function newestTokenIat(grantId: string): Promise<number | undefined> {
    const tokens = [...(await deps.accessTokens.findByGrantId(grantId)), ...(await deps.refreshTokens.findByGrantId(grantId))];
    const times = tokens.flatMap((token) => epoch(token.payload.iat) ?? []);
    return times.length ? Math.max(...times) : undefined;
  }

  async function describe(clientId: string, grants: Record_[]): Promise<ConnectedApp> {
    const provider = deps.provider();
    const client = await provider.Client.find(clientId).catch(() => undefined);
    const scopes = new Set<string>();
    const resources = new Map<string, Set<string>>();
    const since: number[] = [];
    const used: number[] = [];
    for (const grant of grants) {
      for (const scope of openidScopes(grant.payload)) scopes.add(scope);
      for (const [identifier, granted] of resourceScopes(grant.payload)) {
        const set = resources.get(identifier) ?? new Set<string>();
        for (const scope of granted) set.add(scope);
        resources.set(identifier, set);
      }
      const iat = epoch(grant.payload.iat);
      if (iat !== undefined) since.push(iat);
      const last = await newestTokenIat(grant.id);
      if (last !== undefined) used.push(last);
    }
    return {
      clientId,
      name: client?.clientName ?? clientId,
      scopes: [...scopes],
      resources: [...resources].map(([identifier, granted]) => ({ identifier, scopes: [...granted] })),
      since: new Date((since.length ? Math.min(...since) : 0) * 1000),
      lastUsedAt: used.length ? new Date(Math.max(...used) * 1000) : undefined,
    };
  }

  /** Takes the client out of the person's browser sessions; resolves with the session ids it had there. */
  async function leaveSessions(accountId: string, clientId: string): Promise<string[]> {
    const sids: string[] = [];
    // Session `exp` is stamped by oidc-provider with the system clock, so the rest of its life is measured by it.
    const nowSeconds = epochSeconds();
    for (const session of await deps.sessions.findByAccountId(accountId)) {
      const { [clientId]: authorization, ...rest } = authorizationsOf(session.payload);
      if (!authorization) continue;
      if (authorization.sid) sids.push(authorization.sid);
      const remaining = (epoch(session.payload.exp) ?? 0) - nowSeconds;
      // A session without a future expiry is about to go anyway; its grant is gone already.
      if (remaining > 0) await deps.sessions.upsert(session.id, { ...session.payload, authorizations: rest }, remaining);
    }
    return sids;
  }

  return {
    async list(accountId) {
      const apps = await Promise.all([...(await grantsByClient(accountId))].map(([clientId, grants]) => describe(clientId, grants)));
      const recency = (app: ConnectedApp) => (app.lastUsedAt ?? app.since).getTime();
      return apps.sort((a, b) => recency(b) - recency(a) || a.name.localeCompare(b.name));
    },
    async revoke(accountId, clientId, reason) {
      if (isInternalClient(clientId)) return 0;
      const grants = (await grantsByClient(accountId)).get(clientId) ?? [];
      if (grants.length === 0) return 0;
      const sids = new Set<string>();
      for (const grant of grants) for (const sid of await endGrant(deps, accountId, grant, reason)) sids.add(sid);
      for (const sid of await leaveSessions(accountId, clientId)) sids.add(sid);
      const provider = deps.provider();
      for (const sid of sids) await deps.backchannel(provider, { clientId, accountId, sid, reason: 'app_revoked' });
      return grants.length;
    },
  };
}
