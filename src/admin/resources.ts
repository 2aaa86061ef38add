/**
 * The resources (APIs) resource of the admin API: resource servers as oidc/resources.ts defines
 * them, `:id` being the encodeURIComponent'd identifier. A write reaches the other instances by the
 * resource signal and the poll (oidc/resource-sync.ts). The admin API itself is a resource of
 * Portcullis: listed and readable, never changed, deleted or shadowed.
 */
import type { Context } from 'koa';
import { z } from 'zod';
import type { AuditBus } from '../audit/bus.ts';
import type { ResourceSync } from '../oidc/resource-sync.ts';
import { type ResourceRegistry, type ResourceServer, resourceSchema } from '../oidc/resources.ts';
import { mergePatch } from '../platform/merge-patch.ts';
import { ADMIN_SCOPES } from '../rbac/scopes.ts';
import { parseBody, parseQuery } from '../security/body.ts';
import { AppError } from '../security/errors.ts';
import { auditAdmin } from './audit.ts';
import { pageQuery, paginate } from './pagination.ts';
import { route } from './routes.ts';

export interface ResourceRouteDeps {
  resources: ResourceRegistry;
  sync: Pick<ResourceSync, 'changed'>;
  /** `<ISSUER>/admin/v1`. */
  adminResource: string;
  /** ADMIN_TOKEN_TTL in seconds, shown on the admin resource. */
  adminTokenTtl: number;
  audit: AuditBus;
}

const listQuery = z.object(pageQuery).strict();
const patchBody = z.record(z.string(), z.unknown());
const MAX_IDENTIFIER = 2048;
const sameUrl = (a: string, b: string) => URL.canParse(a) && URL.canParse(b) && new URL(a).href === new URL(b).href;

export function resourceRoutes(deps: ResourceRouteDeps) {
  const { resources, audit } = deps;
  const builtIn = {
    identifier: deps.adminResource,
    scopes: [...ADMIN_SCOPES],
    accessTokenFormat: 'jwt',
    accessTokenTTL: deps.adminTokenTtl,
    // oidc/admin-resource.ts signs admin tokens ES256.
    signingAlg: 'ES256',
    introspectors: [],
    built_in: true,
  };
  const view = (resource: ResourceServer) => ({ ...resource, built_in: false });
  const target = (identifier: string) => ({ kind: 'resource' as const, id: identifier });
  const notFound = () => new AppError(404, 'resource_not_found', 'no such resource');
  // @koa/router has already decoded the parameter: this is the identifier itself.
  const idOf = (ctx: Context) => String((ctx.params as { id?: string }).id ?? '');

  function parsed(candidate: unknown): ResourceServer {
    const result = resourceSchema.safeParse(candidate);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new AppError(400, 'invalid_request', `invalid or missing field: ${issue?.path.join('.') || 'body'}`);
    }
    if (result.data.identifier.length > MAX_IDENTIFIER) throw new AppError(400, 'invalid_request', `identifier is limited to ${MAX_IDENTIFIER} characters`);
    return result.data;
  }

  function stored(ctx: Context): ResourceServer {
    const identifier = idOf(ctx);
    if (identifier === deps.adminResource)
      throw new AppError(403, 'builtin_resource', 'the admin API is a resource of Portcullis itself and cannot be changed');
    const resource = resources.get(identifier);
    if (!resource) throw notFound();
    return resource;
  }

  async function written(ctx: Context, verb: 'create' | 'update' | 'delete', identifier: string, fields?: string[]) {
    await deps.sync.changed();
    auditAdmin(audit, ctx, { resource: 'resources', verb, target: target(identifier), fields });
  }

  return [
    route('get', '/resources', 'resources:read', async (ctx) => {
      const all = [builtIn, ...resources.all().map(view)];
      ctx.body = paginate(all, (resource) => resource.identifier, parseQuery(ctx, listQuery));
    }),
    route('post', '/resources', 'resources:write', async (ctx) => {
      const resource = parsed(await parseBody(ctx, patchBody));
      // Another spelling of the admin API's URL (host case, default port) counts as the admin API.
      if (sameUrl(resource.identifier, deps.adminResource) || resources.get(resource.identifier)) {
        throw new AppError(409, 'resource_exists', 'a resource with this identifier exists');
      }
      await resources.put(resource);
      await written(ctx, 'create', resource.identifier, Object.keys(resource));
      ctx.status = 201;
      ctx.body = view(resource);
    }),
    route('get', '/resources/:id', 'resources:read', async (ctx) => {
      if (idOf(ctx) === deps.adminResource) {
        ctx.body = builtIn;
        return;
      }
      const resource = resources.get(idOf(ctx));
      if (!resource) throw notFound();
      ctx.body = view(resource);
    }),
    route('patch', '/resources/:id', 'resources:write', async (ctx) => {
      const current = stored(ctx);
      const patch = await parseBody(ctx, patchBody);
      if ('identifier' in patch && patch.identifier !== current.identifier) throw new AppError(400, 'invalid_request', 'identifier cannot be changed');
      const next = parsed(mergePatch(current as unknown as Record<string, unknown>, patch));
      await resources.put(next);
      const changed = Object.keys(patch).filter(
        (key) => JSON.stringify((current as Record<string, unknown>)[key]) !== JSON.stringify((next as Record<string, unknown>)[key]),
      );
      await written(ctx, 'update', next.identifier, changed);
      ctx.body = view(next);
    }),
    route('delete', '/resources/:id', 'resources:write', async (ctx) => {
      const current = stored(ctx);
      await resources.delete(current.identifier);
      await written(ctx, 'delete', current.identifier);
      ctx.status = 204;
    }),
  ];
}
