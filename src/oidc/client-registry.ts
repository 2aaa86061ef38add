/**
 * Clients registered at run time (the admin API) and by the bootstrap file, as one registry over
 * the Client model store as oidc-provider's adapter sees it, so secrets are sealed at rest
 * (at-rest.ts) and every instance's `Client.find` sees a change at its next lookup.
 *
 * The model store cannot be listed, so the registry keeps an index beside it: records of kind
 * `client` for clients created here, and bootstrap's `bootstrap-client` fingerprints for those the
 * file created. An existing DATA_DIR or database needs nothing: its clients all came from the
 * bootstrap file and are listed through those fingerprints.
 *
 * Delete is soft: the Client record leaves the model store (oidc-provider no longer finds it, so
 * no token of it authenticates, refreshes or introspects) and a tombstone of kind
 * `client-tombstone` keeps the client_id reserved until purge: a new client under the old id would
 * otherwise inherit whatever of the old one is still stored.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type Provider from 'oidc-provider';
import { mergePatch } from '../platform/merge-patch.ts';
import type { ModelPayload, ModelStore, RecordRepository } from '../storage/port.ts';

export const CLIENT_INDEX = 'client';
export const CLIENT_TOMBSTONE = 'client-tombstone';
const BOOTSTRAP_INDEX = 'bootstrap-client';

/** 32 bytes = 256 bits of entropy, base64url: 43 characters. */
const SECRET_BYTES = 32;
/** Auth methods that prove possession of the shared secret (RFC 7591 § 2). */
const SECRET_METHODS = new Set(['client_secret_basic', 'client_secret_post', 'client_secret_jwt']);
/** Our clientDefaults (configuration.ts): a client that names no method uses this one. */
const DEFAULT_METHOD = 'client_secret_basic';
/** Set by the server only: a caller may not choose them (RFC 7591 § 3.2.1). */
const SERVER_SET = ['client_secret', 'client_secret_expires_at', 'client_id_issued_at', 'registration_access_token', 'registration_client_uri'];

/** Ids as the API accepts them: printable, URL-safe, at most 128 characters. */
export const CLIENT_ID = /^[A-Za-z0-9._~:-]{1,128}$/;

export type ClientMetadata = Record<string, unknown>;

export interface ClientView extends ClientMetadata {
  client_id: string;
}

export interface Created {
  view: ClientView;
  /** Shown once, in the response that created it. */
  secret?: string | undefined;
  fields: string[];
}

export interface ClientRegistryDeps {
  /** The Client model as the adapter sees it: secrets sealed on write, opened on read. */
  clients: ModelStore;
  records: RecordRepository;
  provider: () => Provider;
  /** Static clients from the configuration (internal-clients.ts): never stored, never changed. */
  internal: readonly ClientMetadata[];
  /** Ends every grant of the client (and the tokens under them). */
  revokeGrantsOf: (clientId: string) => Promise<void>;
  now?: () => Date;
}

export type ClientErrorCode = 'invalid_client_metadata' | 'client_not_found' | 'client_exists' | 'client_not_confidential';

/** What the registry refuses, with a stable code (admin/clients.ts gives each its HTTP status). */
export class ClientError extends Error {
  override name = 'ClientError';
  readonly code: ClientErrorCode;
  constructor(code: ClientErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

const invalidMetadata = (message: string) => new ClientError('invalid_client_metadata', message);
const clientNotFound = () => new ClientError('client_not_found', 'no such client');
const clientExists = (id: string) => new ClientError('client_exists', `client_id ${id} is taken (or reserved by a deleted client until purge)`);

const newSecret = () => randomBytes(SECRET_BYTES).toString('base64url');
const needsSecret = (metadata: ClientMetadata) => SECRET_METHODS.has(String(metadata.token_endpoint_auth_method ?? DEFAULT_METHOD));

function viewOf(id: string, stored: ModelPayload): ClientView {
  const { client_secret: _secret, ...rest } = stored;
  return { ...rest, client_id: id };
}

export function createClientRegistry(deps: ClientRegistryDeps) {
  const now = deps.now ?? (() => new Date());
  const internal = new Map(deps.internal.map((metadata) => [String(metadata.client_id), metadata]));

  /** oidc-provider's own validation (the schema and the sector identifier check), plus no unknown member. */
  async function validate(metadata: ClientMetadata): Promise<void> {
    const { Client } = deps.provider();
    try {
      // The constructor runs the same schema as validate() and keeps only recognised members; the
      // published types omit its argument.
      const Construct = Client as unknown as new (metadata: ClientMetadata) => { metadata(): ClientMetadata };
      const known = new Set(Object.keys(new Construct(metadata).metadata()));
      const unknown = Object.keys(metadata).filter((key) => !known.has(key));
      if (unknown.length) throw invalidMetadata(`unknown client metadata: ${unknown.sort().join(' ')}`);
      await Client.validate(metadata as Parameters<typeof Client.validate>[0]);
    } catch (error) {
      if (error instanceof ClientError) throw error;
      const described = (error as { error_description?: string }).error_description;
      if (described === undefined) throw error;
      throw invalidMetadata(described);
    }
  }

  function refuseServerSet(metadata: ClientMetadata): void {
    const sent = SERVER_SET.filter((key) => key in metadata);
    if (sent.length) throw invalidMetadata(`${sent.join(', ')} is set by the server, never by the caller`);
  }

  async function stored(id: string): Promise<ModelPayload | undefined> {
    if (!CLIENT_ID.test(id) || internal.has(id)) return undefined;
    return deps.clients.find(id);
  }

  async function existing(id: string): Promise<ModelPayload> {
    const found = await stored(id);
    if (!found) throw clientNotFound();
    return found;
  }

  return {
    isInternal: (id: string) => internal.has(id),

    async list(): Promise<ClientView[]> {
      const ids = new Set<string>();
      for (const kind of [CLIENT_INDEX, BOOTSTRAP_INDEX]) for (const { id } of await deps.records.list(kind)) ids.add(id);
      const views: ClientView[] = [];
      for (const id of ids) {
        const found = internal.has(id) ? undefined : await deps.clients.find(id);
        if (found) views.push(viewOf(id, found));
      }
      return views;
    },

    /** A stored client, or an internal one (read-only); never the secret. */
    async get(id: string): Promise<ClientView> {
      const builtIn = internal.get(id);
      if (builtIn) return { ...builtIn, client_id: id };
      return viewOf(id, await existing(id));
    },

    async create(request: ClientMetadata): Promise<Created> {
      refuseServerSet(request);
      const requestedId = request.client_id;
      if (requestedId !== undefined && !(typeof requestedId === 'string' && CLIENT_ID.test(requestedId))) {
        throw invalidMetadata('client_id must be 1 to 128 characters of A-Z a-z 0-9 . _ ~ : -');
      }
      const id = requestedId ?? randomBytes(16).toString('base64url');
      const secret = needsSecret(request) ? newSecret() : undefined;
      const metadata: ClientMetadata = { ...request, client_id: id, ...(secret ? { client_secret: secret } : {}) };
      await validate(metadata);
      // Two creations of one id at once (any instance): the lease lets one through, the other is a 409,
      // so nobody is handed a secret that the other's write has already replaced.
      const lease = `client-create:${id}`;
      const holder = randomUUID();
      if (!(await deps.records.tryLock(lease, holder, 30))) throw clientExists(id);
      try {
        if (internal.has(id) || (await deps.clients.find(id)) || (await deps.records.get(CLIENT_TOMBSTONE, id))) throw clientExists(id);
        await deps.clients.upsert(id, metadata);
        await deps.records.put(CLIENT_INDEX, id, { createdAt: now().toISOString() });
      } finally {
        await deps.records.unlock(lease, holder);
      }
      return { view: viewOf(id, metadata), secret, fields: Object.keys(request) };
    },

    /**
     * RFC 7396 merge onto the registered metadata, validated again as a whole. A change to a
     * secret-based auth method issues a secret (shown once); a change away from one drops it.
     */
    async update(id: string, patch: ClientMetadata): Promise<Created> {
      refuseServerSet(patch);
      if ('client_id' in patch && patch.client_id !== id) throw invalidMetadata('client_id cannot be changed');
      const current = await existing(id);
      const merged = mergePatch(current, patch);
      let secret: string | undefined;
      if (!needsSecret(merged)) delete merged.client_secret;
      else if (typeof merged.client_secret !== 'string') secret = newSecret();
      const metadata: ClientMetadata = { ...merged, client_id: id, ...(secret ? { client_secret: secret } : {}) };
      await validate(metadata);
      await deps.clients.upsert(id, metadata);
      const fields = Object.keys(patch).filter((key) => JSON.stringify(current[key]) !== JSON.stringify(metadata[key]));
      if (secret || ('client_secret' in current && !('client_secret' in metadata))) fields.push('client_secret');
      return { view: viewOf(id, metadata), secret, fields };
    },

    /** A new secret, effective at once: the old one stops working at the next token request. */
    async rotateSecret(id: string): Promise<string> {
      const current = await existing(id);
      if (!needsSecret(current)) {
        throw new ClientError('client_not_confidential', 'this client authenticates without a client secret; there is nothing to rotate');
      }
      const secret = newSecret();
      await deps.clients.upsert(id, { ...current, client_secret: secret });
      return secret;
    },

    /** Soft delete (tombstone kept) or, with purge, also frees the client_id. */
    async remove(id: string, purge: boolean): Promise<void> {
      const found = await stored(id);
      const tombstone = CLIENT_ID.test(id) ? await deps.records.get(CLIENT_TOMBSTONE, id) : undefined;
      if (!found && !(purge && tombstone)) throw clientNotFound();
      if (found) {
        // Tombstone first: from here on nothing (bootstrap included) re-creates the id.
        await deps.records.put(CLIENT_TOMBSTONE, id, { deletedAt: now().toISOString() });
        await deps.clients.destroy(id);
        await deps.records.delete(CLIENT_INDEX, id);
        await deps.revokeGrantsOf(id);
      }
      if (purge) await deps.records.delete(CLIENT_TOMBSTONE, id);
    },
  };
}

export type ClientRegistry = ReturnType<typeof createClientRegistry>;
