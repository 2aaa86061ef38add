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

export interface ResourceRegistry {
  get(identifier: string): ResourceServer | undefined;
  all(): ResourceServer[];
  replaceAll(resources: ResourceServer[]): Promise<void>;
}

export async function createResourceRegistry(records: RecordRepository): Promise<ResourceRegistry> {
  const cache = new Map<string, ResourceServer>();
  for (const { id, value } of await records.list<ResourceServer>(KIND)) cache.set(id, value);
  return {
    get: (identifier) => cache.get(identifier),
    all: () => [...cache.values()],
    async replaceAll(resources) {
      for (const existing of [...cache.keys()]) {
        if (!resources.some((resource) => resource.identifier === existing)) {
          await records.delete(KIND, existing);
          cache.delete(existing);
        }
      }
      for (const resource of resources) {
        await records.put(KIND, resource.identifier, resource);
        cache.set(resource.identifier, resource);
      }
    },
  };
}
