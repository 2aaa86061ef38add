/**
 * A person's browser sessions at the issuer: list them, end one, end all but one.
 *
 * Ending a session deletes it, revokes every grant made through it (with all their tokens, see
 * oidc/grants.ts) and sends back-channel logout to each client signed in through it that
 * registered a back-channel logout URI. Ending all sessions but one also revokes every other grant
 * of the person, those whose session had already ended included (account-grants.ts): that is what
 * "sign out everywhere else" and a password change promise. These functions trust the account id they are given:
 * the self-service routes pass the signed-in person's own, an admin API whoever it may manage.
 */
import type Provider from 'oidc-provider';
import type { AuditBus } from '../audit/bus.ts';
import type { BackchannelSender } from '../oidc/backchannel.ts';
import type { RevokeGrant } from '../oidc/grants.ts';
import { isInternalClient } from '../oidc/internal-clients.ts';
import type { ModelPayload, ModelStore } from '../storage/port.ts';
import type { RevokeAccountGrants } from './account-grants.ts';
import { readActivity } from './activity.ts';
import { type DeviceDescription, describeUserAgent } from './describe.ts';

export interface SessionSummary {
  uid: string;
  current: boolean;
  device: DeviceDescription;
  ip: string | undefined;
  createdAt: Date;
  signedInAt: Date | undefined;
  lastActiveAt: Date | undefined;
  expiresAt: Date | undefined;
  applications: Array<{ clientId: string; name: string }>;
}

/** Why a session ended (audit detail). */
export type EndReason = 'self' | 'self_others' | 'password_changed' | 'password_reset' | 'session_limit' | 'admin' | 'not_me';

export interface SessionRecord {
  id: string;
  uid: string;
  createdAt: number;
  payload: ModelPayload;
}

export interface SessionService {
  list(accountId: string, currentUid?: string): Promise<SessionSummary[]>;
  /** The person's live session records, oldest first. */
  records(accountId: string): Promise<SessionRecord[]>;
  /** False when the person has no such session. */
  end(accountId: string, uid: string, reason: EndReason): Promise<boolean>;
  /**
   * Ends every session of the person except `keepUid` (all when undefined), and revokes every
   * grant of theirs not made in the kept session, whether or not its session is still alive.
   * Resolves with how many sessions ended.
   */
  endAllExcept(accountId: string, keepUid: string | undefined, reason: EndReason): Promise<number>;
}

export interface SessionServiceDeps {
  sessions: ModelStore;
  provider: () => Provider;
  revokeGrant: RevokeGrant;
  backchannel: BackchannelSender;
  audit: AuditBus;
  /** Grants of the person that no live session reaches (account-grants.ts). */
  revokeAccountGrants: RevokeAccountGrants;
}

type Authorizations = Record<string, { sid?: string; grantId?: string }>;

const seconds = (value: unknown) => (typeof value === 'number' ? new Date(value * 1000) : undefined);

function authorizationsOf(payload: ModelPayload): Authorizations {
  const value = payload.authorizations;
  return value && typeof value === 'object' ? (value as Authorizations) : {};
}

export function createSessionService(deps: SessionServiceDeps): SessionService {
  async function records(accountId: string): Promise<SessionRecord[]> {
    const found = await deps.sessions.findByAccountId(accountId);
    return found
      .filter((record) => typeof record.payload.uid === 'string')
      .map((record) => ({
        id: record.id,
        uid: record.payload.uid as string,
        createdAt: typeof record.payload.iat === 'number' ? record.payload.iat : 0,
        payload: record.payload,
      }))
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  async function endRecord(accountId: string, record: SessionRecord, reason: EndReason): Promise<void> {
    await deps.sessions.destroy(record.id);
    const authorizations = Object.entries(authorizationsOf(record.payload));
    const provider = deps.provider();
    await Promise.all(
      authorizations.map(async ([clientId, { grantId, sid }]) => {
        if (grantId) await deps.revokeGrant(grantId);
        if (sid) await deps.backchannel(provider, { clientId, accountId, sid, reason: 'session_ended' });
      }),
    );
    deps.audit.emit({
      type: 'session.ended',
      accountId,
      detail: { uid: record.uid, reason, clients: authorizations.map(([clientId]) => clientId) },
    });
  }

  return {
    records,
    async list(accountId, currentUid) {
      const provider = deps.provider();
      const names = new Map<string, string>();
      const nameOf = async (clientId: string) => {
        if (!names.has(clientId)) names.set(clientId, (await provider.Client.find(clientId))?.clientName ?? clientId);
        return names.get(clientId) as string;
      };
      const summaries: SessionSummary[] = [];
      for (const record of await records(accountId)) {
        const activity = readActivity(record.payload);
        const applications = [];
        for (const clientId of Object.keys(authorizationsOf(record.payload))) {
          // The account console and the CLI are Portcullis itself, not applications the person chose.
          if (isInternalClient(clientId)) continue;
          applications.push({ clientId, name: await nameOf(clientId) });
        }
        summaries.push({
          uid: record.uid,
          current: record.uid === currentUid,
          device: describeUserAgent(activity?.userAgent),
          ip: activity?.ip,
          createdAt: new Date(record.createdAt * 1000),
          signedInAt: seconds(record.payload.loginTs),
          lastActiveAt: activity ? new Date(activity.lastActiveAt) : undefined,
          expiresAt: seconds(record.payload.exp),
          applications,
        });
      }
      const recency = (summary: SessionSummary) => (summary.lastActiveAt ?? summary.createdAt).getTime();
      return summaries.sort((a, b) => Number(b.current) - Number(a.current) || recency(b) - recency(a));
    },
    async end(accountId, uid, reason) {
      const record = (await records(accountId)).find((candidate) => candidate.uid === uid);
      if (!record) return false;
      await endRecord(accountId, record, reason);
      return true;
    },
    async endAllExcept(accountId, keepUid, reason) {
      const all = await records(accountId);
      const kept = all.find((record) => record.uid === keepUid);
      const ending = all.filter((record) => record !== kept);
      for (const record of ending) await endRecord(accountId, record, reason);
      const keepGrants = new Set(Object.values(kept ? authorizationsOf(kept.payload) : {}).flatMap(({ grantId }) => (grantId ? [grantId] : [])));
      await deps.revokeAccountGrants(accountId, keepGrants, reason);
      return ending.length;
    },
  };
}
