/**
 * Passkeys in the store: one `Passkey` model record per credential, keyed by the credential id
 * (so finding a credential by id is a primary-key lookup on both backends) and indexed by
 * `accountId` (storage/embedded/models.ts, storage/mongo/indexes.ts). Only translation here.
 */
import type { ModelStore } from '../../storage/port.ts';
import type { PasskeyRecord } from './types.ts';

export interface PasskeyRepository {
  insert(record: PasskeyRecord): Promise<void>;
  find(id: string): Promise<PasskeyRecord | undefined>;
  listByAccount(accountId: string): Promise<PasskeyRecord[]>;
  update(record: PasskeyRecord): Promise<void>;
  remove(id: string): Promise<void>;
}

function fromPayload(id: string, payload: Record<string, unknown> | undefined): PasskeyRecord | undefined {
  if (!payload || typeof payload.accountId !== 'string' || typeof payload.publicKey !== 'string') return undefined;
  return { ...(payload as unknown as PasskeyRecord), id };
}

export function createPasskeyRepository(model: ModelStore): PasskeyRepository {
  const save = (record: PasskeyRecord) => model.upsert(record.id, { ...record });
  return {
    insert: save,
    update: save,
    async find(id) {
      return fromPayload(id, await model.find(id));
    },
    async listByAccount(accountId) {
      const rows = await model.findByAccountId(accountId);
      return rows
        .map((row) => fromPayload(row.id, row.payload))
        .filter((record): record is PasskeyRecord => record !== undefined)
        .sort((a, b) => a.createdAt - b.createdAt);
    },
    remove: (id) => model.destroy(id),
  };
}
