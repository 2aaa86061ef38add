/**
 * The storage port: everything the domain keeps goes through these interfaces, and both backends
 * (embedded, mongo) implement them. Backends only translate calls into documents; policy (what a
 * reused token means, who may log in) lives in the domain modules.
 *
 * Invariant every backend must keep: consuming a one-time artefact is a single conditional write
 * that exactly one caller can win (test/storage/contract.ts races 50 callers).
 */

/** An oidc-provider model payload; opaque apart from the indexed fields below. */
export interface ModelPayload {
  [key: string]: unknown;
  grantId?: string;
  uid?: string;
  userCode?: string;
  accountId?: string;
  consumed?: unknown;
}

export interface ModelStore {
  upsert(id: string, payload: ModelPayload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<ModelPayload | undefined>;
  findByUid(uid: string): Promise<ModelPayload | undefined>;
  findByUserCode(userCode: string): Promise<ModelPayload | undefined>;
  /** Every live record of this model that belongs to a person (sessions, grants). */
  findByAccountId(accountId: string): Promise<Array<{ id: string; payload: ModelPayload }>>;
  /** Every live record of this model issued under one grant (a refresh-token family). */
  findByGrantId(grantId: string): Promise<Array<{ id: string; payload: ModelPayload }>>;
  /** Sets `consumed` (epoch seconds) only if unset; true for the one caller that won. */
  consume(id: string): Promise<boolean>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
  /** How many live records this model holds (operations and benchmarks). */
  count(): Promise<number>;
  /**
   * An object that stays the same while record `id` is unchanged and is replaced by every write
   * to it (undefined when there is no live record), so a reader may keep what it built from the
   * record until then (oidc/remembered-clients.ts). Only a backend whose records all live in this
   * process can promise that: the embedded one has it, MongoDB does not.
   */
  revision?(id: string): object | undefined;
}

export type AccountStatus = 'active' | 'disabled';

export interface AccountRecord {
  id: string;
  /** Stored lower-cased; unique. */
  username: string;
  /** Stored lower-cased; unique when present. */
  email?: string;
  emailVerified?: boolean;
  name?: string;
  /** Application labels: the `roles` claim. They grant nothing in the admin API. */
  roles: string[];
  /** Management roles (rbac/): what this person may do in the admin API. Absent on older records. */
  adminRoles?: string[];
  status: AccountStatus;
  /** Soft delete: cannot sign in, left out of lists; username and email stay reserved until purge. */
  deletedAt?: Date;
  /** An admin set the password with `must_change`: the next sign-in asks for a new one. */
  mustChangePassword?: boolean;
  passwordHash: string;
  /** Earlier password hashes, newest first, at most PASSWORD_HISTORY (passwords/policy.ts refuses reuse). */
  passwordHistory?: string[];
  /** A breach lookup at sign-in found this password (passwords/): the next sign-in must replace it. */
  passwordCompromisedAt?: Date;
  /** When the password was last looked up in the breach corpus at sign-in (at most once a day). */
  passwordCheckedAt?: Date;
  passwordChangedAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export type AccountPatch = Partial<Omit<AccountRecord, 'id' | 'createdAt'>>;

export interface AccountRepository {
  /** Throws DuplicateError when the username or email is taken. */
  create(account: AccountRecord): Promise<void>;
  findById(id: string): Promise<AccountRecord | undefined>;
  findByUsername(username: string): Promise<AccountRecord | undefined>;
  /** Returns the updated record, or undefined when there is none. Throws DuplicateError. */
  update(id: string, patch: AccountPatch): Promise<AccountRecord | undefined>;
  list(): Promise<AccountRecord[]>;
  /** One page of people who are not soft-deleted, ordered by username, starting after `after`. */
  search(query: AccountSearch): Promise<AccountRecord[]>;
  /** Enabled, non-deleted people holding `adminRole` (the last-admin rule counts these). */
  countHolders(adminRole: string): Promise<number>;
  /** Erases the record for good (GDPR): username and email are free again. False when there was none. */
  purge(id: string): Promise<boolean>;
}

export interface AccountSearch {
  /** Prefix of the username or the email, lower-cased by the caller; matched literally. */
  q?: string | undefined;
  role?: string | undefined;
  adminRole?: string | undefined;
  disabled?: boolean | undefined;
  /** Username of the last record of the previous page. */
  after?: string | undefined;
  limit: number;
}

export type KeyState = 'next' | 'current' | 'previous' | 'retired' | 'revoked';

export interface KeyRecord {
  kid: string;
  alg: string;
  state: KeyState;
  /** Public JWK as published (kid, alg, use included). */
  publicJwk: Record<string, unknown>;
  /** Private JWK, encrypted with the key-encryption key (see keys/sealing.ts). */
  sealedPrivateJwk: string;
  createdAt: Date;
  /** When a `next` key becomes `current`. */
  activatesAt?: Date;
  /** When a `current` key was demoted to `previous`. */
  deactivatedAt?: Date;
  /** When a `previous` key leaves the JWKS. */
  retiresAt?: Date;
  revokedAt?: Date;
}

export interface KeyRepository {
  list(): Promise<KeyRecord[]>;
  insert(key: KeyRecord): Promise<void>;
  /** Applies the patch only if the key is still in `expectedState`; true when it was applied. */
  transition(kid: string, expectedState: KeyState, patch: Partial<KeyRecord>): Promise<boolean>;
}

/** Who acted: the person themselves, an administrator (token subject), the operator token, a client, or the server itself. */
export type AuditActorKind = 'person' | 'admin' | 'operator' | 'client' | 'system';

export interface AuditActor {
  kind: AuditActorKind;
  id?: string;
}

export interface AuditRecord {
  id: string;
  type: string;
  at: Date;
  requestId?: string;
  /** The subject: the account the event is about. */
  accountId?: string;
  clientId?: string;
  ip?: string;
  userAgent?: string;
  actor?: AuditActor;
  outcome?: 'success' | 'failure';
  detail?: Record<string, unknown>;
  /** Tamper evidence (audit/chain.ts): the writing process's chain, its position, the previous record's mac, this record's mac. */
  chain?: string;
  seq?: number;
  prev?: string;
  mac?: string;
  /** HMAC of the personal fields, kept so the chain still verifies after an erasure removes them. */
  personalMac?: string;
}

export interface AuditQuery {
  /** Exactly this type. */
  type?: string;
  accountId?: string;
  limit?: number;
}

/** What GET /admin/v1/audit filters by; every field optional. */
export interface AuditFilter {
  /** Types starting with this (`login.`). */
  typePrefix?: string | undefined;
  accountId?: string | undefined;
  /** `actor.id`. */
  actorId?: string | undefined;
  clientId?: string | undefined;
  ip?: string | undefined;
  /** `at` ≥ since. */
  since?: Date | undefined;
  /** `at` < until. */
  until?: Date | undefined;
  /** Newest first (default) or oldest first (`audit tail`). */
  order?: 'desc' | 'asc' | undefined;
  /** Continue after the record this cursor came with (an AuditHit's cursor, same order). */
  after?: string | undefined;
}

/** One match of a query and where the next page starts if this is the last one served. */
export interface AuditHit {
  record: AuditRecord;
  /** Opaque, base64url; only meaningful to the backend that gave it out and for the same order. */
  cursor: string;
}

/** A chain's position: the last purged record (checkpoints) or the head (anchors). */
export interface ChainMark {
  chain: string;
  seq: number;
  mac: string;
}

/** What a purge is about to delete, computed before anything goes (retention writes the checkpoint from it). */
export interface AuditPurgePlan {
  /** Records written before this go (the embedded store rounds it down to whole UTC days). */
  before: Date;
  /** How many records go. */
  count: number;
  /** Per chain, the last record that goes. */
  marks: ChainMark[];
  /** Backend-specific scope of the plan (the embedded store's day files). */
  scope?: string[];
}

/** A cursor this backend never gave out (or one for a record that is gone and cannot be placed). */
export class AuditCursorError extends Error {
  override name = 'AuditCursorError';
}

export interface AuditRepository {
  append(event: AuditRecord): Promise<void>;
  /** Newest first, exact filters (tests and small look-ups); default limit 100. */
  list(query?: AuditQuery): Promise<AuditRecord[]>;
  /**
   * Every match, streamed in `order` (newest first by default): backends read in batches and
   * never hold the whole trail. Throws AuditCursorError for a cursor it cannot place.
   */
  query(filter: AuditFilter): AsyncIterable<AuditHit>;
  /** Every chained record, each chain in seq order (chains may interleave): what verify walks. */
  walk(): AsyncIterable<AuditRecord>;
  /** What a purge of everything written before `before` would delete; deletes nothing. */
  planPurge(before: Date): Promise<AuditPurgePlan>;
  /** Deletes what the plan names; resolves with how many records went. */
  purge(plan: AuditPurgePlan): Promise<number>;
  /**
   * Erasure of a person (GDPR): removes the personal fields (PERSONAL_AUDIT_FIELDS of `detail`,
   * the client IP and user agent) from every record about the account; id, type, at, accountId,
   * personalMac and mac stay, so the chain still verifies. Resolves with how many records were scrubbed.
   */
  scrubAccount(accountId: string): Promise<number>;
}

/** Keys of an audit record's `detail` that say who a person is, removed by scrubAccount. */
export const PERSONAL_AUDIT_FIELDS = ['username', 'email', 'name', 'address', 'ip', 'userAgent', 'device'] as const;

export type MfaFactorType = 'totp' | 'backup_codes';

export interface MfaFactorRecord {
  id: string;
  accountId: string;
  type: MfaFactorType;
  /** TOTP: sealed secret. */
  sealedSecret?: string;
  /** Unconfirmed TOTP: digest of the interaction or session it was shown to (mfa/service.ts). */
  boundTo?: string;
  /** TOTP: highest time step accepted so far (replay guard). */
  lastStep?: number;
  /** Backup codes: hashes of the codes still unused. */
  codeHashes?: string[];
  confirmedAt?: Date;
  createdAt: Date;
}

export interface MfaRepository {
  listByAccount(accountId: string): Promise<MfaFactorRecord[]>;
  insert(factor: MfaFactorRecord): Promise<void>;
  update(id: string, patch: Partial<Omit<MfaFactorRecord, 'id' | 'accountId'>>): Promise<void>;
  remove(id: string): Promise<void>;
  /** Raises lastStep to `step` only if it is lower; true for the one caller that won. */
  advanceTotpStep(id: string, step: number): Promise<boolean>;
  /** Removes one unused code hash; true for the one caller that won. */
  useBackupCode(id: string, codeHash: string): Promise<boolean>;
}

/** Small named documents: bootstrap fingerprints, resource servers, settings. */
export interface RecordRepository {
  get<T>(kind: string, id: string): Promise<T | undefined>;
  put<T>(kind: string, id: string, value: T): Promise<void>;
  list<T>(kind: string): Promise<Array<{ id: string; value: T }>>;
  delete(kind: string, id: string): Promise<void>;
  /** A lease: true if `holder` now holds `name` until ttl runs out (re-entrant for the holder). */
  tryLock(name: string, holder: string, ttlSeconds: number): Promise<boolean>;
  unlock(name: string, holder: string): Promise<void>;
}

/**
 * One message waiting in the outbox (mail/): written by `enqueue`, claimed by one instance's
 * worker, deleted on delivery, after the last attempt, or once `expiresAt` has passed.
 */
export interface OutboxRecord {
  id: string;
  to: string;
  /** A template name in views/mail/. */
  template: string;
  /** What the template shows besides the link: nothing secret. */
  data: Record<string, unknown>;
  /** The link carrying a secret (reset, verification), sealed with KEY_ENCRYPTION_KEYS (keys/sealing.ts). */
  sealedLink?: string;
  /** Whom the mail is about, for logs and audit. */
  accountId?: string;
  /** Never sent after this (its link would no longer work). */
  expiresAt?: Date;
  /** Delivery attempts begun so far (a claim counts one). */
  attempts: number;
  /** When the row is next due; a claim moves it forward by the claim's lease. */
  nextAttemptAt: Date;
  /** The current claim's token (outbox worker), so only its holder reschedules the row. */
  claim?: string;
  createdAt: Date;
}

export interface OutboxRepository {
  insert(row: OutboxRecord): Promise<void>;
  /** Rows due at `now` (nextAttemptAt ≤ now), soonest first, at most `limit`. */
  due(now: Date, limit: number): Promise<OutboxRecord[]>;
  /**
   * Takes a due row for sending: only if its nextAttemptAt is still ≤ now, in one conditional
   * write that moves nextAttemptAt to `leaseUntil`, counts an attempt and stamps `claim`.
   * Resolves with the claimed row for the one caller that won, undefined for every other.
   */
  claim(id: string, now: Date, leaseUntil: Date, claim: string): Promise<OutboxRecord | undefined>;
  /** After a failed attempt: sets the next time, only while `claim` still holds the row; true when it did. */
  reschedule(id: string, claim: string, nextAttemptAt: Date): Promise<boolean>;
  delete(id: string): Promise<void>;
  /** Deletes every row whose expiresAt is before or at `now`; resolves with how many went. */
  purgeExpired(now: Date): Promise<number>;
  /** Every row, soonest due first (operations and tests). */
  list(): Promise<OutboxRecord[]>;
  /** Erasure of a person: deletes every row about the account; resolves with how many went. */
  deleteByAccount(accountId: string): Promise<number>;
}

export interface Store {
  readonly kind: 'embedded' | 'mongo';
  model(name: string): ModelStore;
  readonly accounts: AccountRepository;
  readonly keys: KeyRepository;
  readonly audit: AuditRepository;
  readonly mfa: MfaRepository;
  readonly records: RecordRepository;
  /** Mail waiting to be delivered (mail/outbox.ts). */
  readonly outbox: OutboxRepository;
  /** Resolves when the backend answers; rejects otherwise (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class DuplicateError extends Error {
  override name = 'DuplicateError';
  readonly field: string;
  constructor(field: string) {
    super(`${field} already exists`);
    this.field = field;
  }
}
