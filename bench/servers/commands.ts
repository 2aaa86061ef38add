/**
 * Commands both benchmark servers answer. Tokens are minted through the provider's own models, so
 * they are exactly what a login would have issued and are stored by the server's real adapter.
 */
import type Provider from 'oidc-provider';
import { USER_SCOPE, WEB } from '../fixtures.ts';
import { type Commands, residentBytes } from './ipc.ts';
import { loginRecords, type StoredRecord, sessionRecord } from './records.ts';

export interface RecordSink {
  upsert(model: string, id: string, payload: Record<string, unknown>, expiresIn: number): Promise<void>;
}

export interface CommandDeps {
  provider: () => Provider;
  /** The account the minted tokens belong to. */
  accountId: string;
  sink: RecordSink;
}

export interface MintedTokens {
  refreshTokens: string[];
  accessTokens: string[];
}

/** Up to 64 writes in flight: enough to keep either store busy without an unbounded queue. */
const BATCH = 64;

/**
 * `count` records from `make`, made one batch at a time: a whole run's records made up front (tens
 * of MB of payload objects) would grow the heap, and the resident size after them, by memory that
 * is garbage once they are stored.
 */
async function insertAll(sink: RecordSink, count: number, make: () => StoredRecord[]): Promise<void> {
  let pending: StoredRecord[] = [];
  for (let stored = 0; stored < count; ) {
    while (pending.length < BATCH) pending.push(...make());
    const batch = pending.slice(0, Math.min(BATCH, count - stored));
    pending = pending.slice(batch.length);
    await Promise.all(batch.map((record) => sink.upsert(record.model, record.id, record.payload, record.expiresIn)));
    stored += batch.length;
  }
}

export function sharedCommands(deps: CommandDeps): Commands {
  return {
    async memory() {
      return residentBytes();
    },
    /** CPU time this process has used so far (µs, user + system). */
    async cpu() {
      const { user, system } = process.cpuUsage();
      return user + system;
    },
    async fillSessions(count: number) {
      await insertAll(deps.sink, count, () => [sessionRecord(deps.accountId)]);
      return residentBytes();
    },
    /** `count` records in all: grants, refresh tokens and access tokens in equal parts. */
    async fillGrants(count: number) {
      await insertAll(deps.sink, count, () => loginRecords(deps.accountId));
      return residentBytes();
    },
    async mint(count: number): Promise<MintedTokens> {
      const provider = deps.provider();
      const client = await provider.Client.find(WEB.id);
      if (!client) throw new Error(`client ${WEB.id} is missing`);
      const minted: MintedTokens = { refreshTokens: [], accessTokens: [] };
      const epoch = Math.floor(Date.now() / 1000);
      for (let index = 0; index < count; index += 1) {
        const grant = new provider.Grant({ accountId: deps.accountId, clientId: WEB.id });
        grant.addOIDCScope(USER_SCOPE);
        const grantId = await grant.save();
        const common = { accountId: deps.accountId, client, grantId, scope: USER_SCOPE, gty: 'authorization_code', expiresWithSession: false };
        const refresh = new provider.RefreshToken({ ...common, iiat: epoch, authTime: epoch, amr: ['pwd'] } as never);
        minted.refreshTokens.push(await refresh.save());
        const access = new provider.AccessToken(common as never);
        minted.accessTokens.push(await access.save());
      }
      return minted;
    },
  };
}
