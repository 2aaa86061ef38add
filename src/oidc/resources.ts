/**
 * Resource servers (RFC 8707 resource indicators): APIs that accept our access tokens. A client
 * that asks for `resource=<identifier>` gets an access token with that audience, in the format
 * the resource server was declared with (RFC 9068 JWT by default).
 */
import { z } from 'zod';
import type { RecordRepository } from '../storage/port.ts';

export const resourceSchema = z
  .object({
    identifier: z.url(),
    scopes: z.array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/)).default([]),
    accessTokenFormat: z.enum(['jwt', 'opaque']).default('jwt'),
    accessTokenTTL: z.number().int().positive().max(86400).optional(),
    signingAlg: z.enum(['ES256', 'RS256', 'PS256', 'EdDSA']).default('ES256'),
    /** Clients (the API's own) that may introspect tokens whose audience is this resource (oidc/introspection.ts). */
    introspectors: z.array(z.string().min(1).max(255)).default([]),
  })
  .strict();

export type ResourceServer = z.infer<typeof resourceSchema>;

const KIND = 'resource';
/** Marks a resource created through the admin API: the bootstrap file does not own it. */
const API_KIND = 'resource-api';

/**
 * Every instance serves resources from memory (getResourceServerInfo runs on each token request);
 * `reload` re-reads the store when another instance signals a change or at the poll
 * (resource-sync.ts).
 */
export interface ResourceRegistry {
  get(identifier: string): ResourceServer | undefined;
  all(): ResourceServer[];
  /**
   * The bootstrap file's resources: written as listed, and those it no longer lists removed,
   * except resources created through the admin API, which the file does not own.
   */
  replaceAll(resources: ResourceServer[]): Promise<void>;
  /** Creates or replaces one resource (the admin API). */
  put(resource: ResourceServer): Promise<void>;
  delete(identifier: string): Promise<void>;
  /** Re-reads every resource from the store. */
  reload(): Promise<void>;
}

export async function createResourceRegistry(records: RecordRepository): Promise<ResourceRegistry> {
  let cache = new Map<string, ResourceServer>();
  const load = async () => {
    const fresh = new Map<string, ResourceServer>();
    for (const { id, value } of await records.list<ResourceServer>(KIND)) fresh.set(id, value);
    // Swapped whole, so a request never sees a half-read set.
    cache = fresh;
  };
  await load();
  return {
    get: (identifier) => cache.get(identifier),
    all: () => [...cache.values()],
    async replaceAll(resources) {
      const apiOwned = new Set((await records.list(API_KIND)).map(({ id }) => id));
      for (const existing of [...cache.keys()]) {
        if (!resources.some((resource) => resource.identifier === existing) && !apiOwned.has(existing)) {
          await records.delete(KIND, existing);
          cache.delete(existing);
        }
      }
      for (const resource of resources) {
        await records.put(KIND, resource.identifier, resource);
        cache.set(resource.identifier, resource);
      }
    },
    async put(resource) {
      await records.put(API_KIND, resource.identifier, { at: new Date().toISOString() });
      await records.put(KIND, resource.identifier, resource);
      cache.set(resource.identifier, resource);
    },
    async delete(identifier) {
      await records.delete(KIND, identifier);
      await records.delete(API_KIND, identifier);
      cache.delete(identifier);
    },
    reload: load,
  };
}
