/**
 * Every index the mongo backend relies on, as data. Building indexes is an operator step
 * (`portcullis db:indexes`), never a side effect of serving a request: an index build on a large
 * collection is slow and holds locks, and a unique index that cannot be built because of existing
 * duplicates must be looked at by a person. The store warns at start-up about missing ones.
 *
 * Which model gets which index follows oidc-provider's own MongoDB adapter example: the adapter
 * is only asked for `findByUid` on Session, `findByUserCode` on DeviceCode and `revokeByGrantId`
 * on the grant-bound token models; our domain asks `findByAccountId` of sessions and grants, and
 * `findByGrantId` of refresh tokens (reuse detection walks a family), served by the grantId index.
 * Queries on other models still work, by collection scan, on collections that hold few records.
 */
import { COLLECTIONS, MODEL_COLLECTIONS } from './collections.ts';

export interface IndexDefinition {
  collection: string;
  /** MongoDB's default name for the key (`payload.uid_1`), so a hand-made twin is recognised. */
  name: string;
  key: Record<string, 1 | -1>;
  unique?: boolean;
  /** TTL: the document is deleted this many seconds after the date in the indexed field. */
  expireAfterSeconds?: number;
  /** Only documents matching this are indexed (and, when unique, checked for duplicates). */
  partialFilterExpression?: Record<string, unknown>;
}

type IndexOptions = Omit<IndexDefinition, 'collection' | 'name' | 'key'>;

function index(collection: string, key: Record<string, 1 | -1>, options: IndexOptions = {}): IndexDefinition {
  const name = Object.entries(key)
    .map(([field, direction]) => `${field}_${direction}`)
    .join('_');
  return { collection, name, key, ...options };
}

/**
 * Indexes only documents where `field` holds a string, so absent fields never collide. Queries
 * on such a field must say `$type: 'string'` too (documents.ts stringEquals) or MongoDB will not
 * use the index.
 */
function whereString(field: string): IndexOptions {
  return { partialFilterExpression: { [field]: { $type: 'string' } } };
}

const GRANT_BOUND = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);
const PERSON_BOUND = new Set(['Session', 'Grant', 'PasswordReset', 'EmailChange', 'Passkey']);

function modelIndexes(model: string, collection: string): IndexDefinition[] {
  // expireAfterSeconds 0: expiresAt already holds the moment of expiry.
  const indexes = [index(collection, { expiresAt: 1 }, { expireAfterSeconds: 0 })];
  if (GRANT_BOUND.has(model)) indexes.push(index(collection, { 'payload.grantId': 1 }, whereString('payload.grantId')));
  if (PERSON_BOUND.has(model)) {
    indexes.push(index(collection, { 'payload.accountId': 1 }, whereString('payload.accountId')));
  }
  if (model === 'Session') {
    indexes.push(index(collection, { 'payload.uid': 1 }, { unique: true, ...whereString('payload.uid') }));
  }
  if (model === 'DeviceCode') {
    indexes.push(index(collection, { 'payload.userCode': 1 }, { unique: true, ...whereString('payload.userCode') }));
  }
  return indexes;
}

export const INDEXES: readonly IndexDefinition[] = [
  ...MODEL_COLLECTIONS.flatMap(({ model, collection }) => modelIndexes(model, collection)),
  index(COLLECTIONS.accounts, { username: 1 }, { unique: true }),
  // Partial, not sparse: an account saved with `email: null` must not take the one null slot.
  index(COLLECTIONS.accounts, { email: 1 }, { unique: true, ...whereString('email') }),
  // The trail (issue 17): each filter of GET /admin/v1/audit with the sort key (at, _id), so a
  // filtered page is an index range read in order; chain + seq is what verify walks. No TTL
  // index: retention is a leased purge that writes a checkpoint first (audit/retention.ts).
  index(COLLECTIONS.audit, { at: -1, _id: -1 }),
  index(COLLECTIONS.audit, { type: 1, at: -1, _id: -1 }),
  index(COLLECTIONS.audit, { accountId: 1, at: -1, _id: -1 }, whereString('accountId')),
  index(COLLECTIONS.audit, { 'actor.id': 1, at: -1, _id: -1 }, whereString('actor.id')),
  index(COLLECTIONS.audit, { clientId: 1, at: -1, _id: -1 }, whereString('clientId')),
  index(COLLECTIONS.audit, { ip: 1, at: -1, _id: -1 }, whereString('ip')),
  index(COLLECTIONS.audit, { chain: 1, seq: 1 }, whereString('chain')),
  index(COLLECTIONS.mfa, { accountId: 1, createdAt: 1 }),
  index(COLLECTIONS.records, { kind: 1, key: 1 }),
  // Expired leases are removed eventually; tryLock does not depend on it, it compares expiresAt.
  index(COLLECTIONS.locks, { expiresAt: 1 }, { expireAfterSeconds: 0 }),
  // The worker's sweep asks for due rows, soonest first.
  index(COLLECTIONS.outbox, { nextAttemptAt: 1 }),
  // A mail whose link has expired is never sent: MongoDB deletes it too (the sweep also does).
  index(COLLECTIONS.outbox, { expiresAt: 1 }, { expireAfterSeconds: 0 }),
];

/**
 * Indexes earlier versions created that are ours to remove (db:indexes drops them by name, only
 * with exactly this key): the audit TTL index deleted records silently, which a chained trail
 * must not allow (retention is the leased purge now), and the audit sort indexes without `_id`
 * were replaced by the ones above.
 */
export const RETIRED_INDEXES: readonly Pick<IndexDefinition, 'collection' | 'name' | 'key'>[] = [
  { collection: COLLECTIONS.audit, name: 'expiresAt_1', key: { expiresAt: 1 } },
  { collection: COLLECTIONS.audit, name: 'at_-1', key: { at: -1 } },
  { collection: COLLECTIONS.audit, name: 'type_1_at_-1', key: { type: 1, at: -1 } },
  { collection: COLLECTIONS.audit, name: 'accountId_1_at_-1', key: { accountId: 1, at: -1 } },
];
