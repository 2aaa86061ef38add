/**
 * Collection names, in one place so the store, the index list and operators' tooling agree.
 * Model collections are `oidc_` + the model name in snake case (`oidc_access_token`), which
 * reads well in mongosh (`db.oidc_session.find()`); the others mirror the embedded file names.
 */
import { MODEL_NAMES } from '../models.ts';

export const COLLECTIONS = {
  accounts: 'accounts',
  keys: 'keys',
  audit: 'audit',
  mfa: 'mfa',
  records: 'records',
  locks: 'locks',
  outbox: 'outbox',
} as const;

export function modelCollection(model: string): string {
  return `oidc_${model.replace(/(?<=[a-z0-9])(?=[A-Z])/g, '_').toLowerCase()}`;
}

export const MODEL_COLLECTIONS: ReadonlyArray<{ model: string; collection: string }> = MODEL_NAMES.map((model) => ({
  model,
  collection: modelCollection(model),
}));
