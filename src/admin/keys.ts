/**
 * The signing-key handlers of the admin API (what `portcullis keys …` calls). The running server
 * makes the change, so the embedded store is never written behind its back, and the change
 * reaches the other instances by the usual signal and poll.
 */
import type { Context } from 'koa';
import { z } from 'zod';
import type { AuditBus } from '../audit/bus.ts';
import { SUPPORTED_ALGS } from '../config/algorithms.ts';
import { KeyOperationError } from '../keys/errors.ts';
import type { KeyManager } from '../keys/manager.ts';
import { parseBody } from '../security/body.ts';
import { AppError } from '../security/errors.ts';
import type { KeyRecord } from '../storage/port.ts';
import { auditAdmin } from './audit.ts';
import { route } from './routes.ts';

const rotateSchema = z.object({ alg: z.enum(SUPPORTED_ALGS).optional(), immediate: z.boolean().optional() }).strict();
/** Our kids are 16 base64url characters; anything far from that is not worth a lookup. */
const KID = /^[A-Za-z0-9_-]{1,64}$/;

const STATUS: Record<KeyOperationError['code'], number> = {
  key_not_found: 404,
  key_already_revoked: 409,
  keys_busy: 503,
  unknown_algorithm: 400,
};

export interface KeyView {
  kid: string;
  alg: string;
  state: string;
  createdAt: string;
  activatesAt?: string;
  deactivatedAt?: string;
  retiresAt?: string;
  revokedAt?: string;
}

export function keyView(key: KeyRecord): KeyView {
  const view: KeyView = { kid: key.kid, alg: key.alg, state: key.state, createdAt: key.createdAt.toISOString() };
  for (const field of ['activatesAt', 'deactivatedAt', 'retiresAt', 'revokedAt'] as const) {
    const value = key[field];
    if (value) view[field] = value.toISOString();
  }
  return view;
}

async function answer(ctx: Context, work: () => Promise<KeyRecord[]>): Promise<void> {
  try {
    ctx.body = { keys: (await work()).map(keyView) };
  } catch (error) {
    if (!(error instanceof KeyOperationError)) throw error;
    const headers: Record<string, string> = error.code === 'keys_busy' ? { 'Retry-After': '1' } : {};
    throw new AppError(STATUS[error.code], error.code, error.message, { headers });
  }
}

export function keyHandlers(keys: KeyManager, audit: AuditBus) {
  return {
    list: (ctx: Context) => answer(ctx, () => keys.list()),
    async rotate(ctx: Context) {
      const request = await parseBody(ctx, rotateSchema);
      await answer(ctx, () => keys.rotate(request));
      auditAdmin(audit, ctx, { resource: 'keys', verb: 'rotate', fields: Object.keys(request) });
    },
    async revoke(ctx: Context) {
      const kid = (ctx.params as { kid?: string }).kid ?? '';
      if (!KID.test(kid)) throw new AppError(400, 'invalid_kid', 'kid must be 1 to 64 base64url characters');
      await answer(ctx, () => keys.revoke(kid));
      auditAdmin(audit, ctx, { resource: 'keys', verb: 'revoke', target: { kind: 'key', id: kid } });
    },
  };
}

export function keyRoutes(keys: KeyManager, audit: AuditBus) {
  const handlers = keyHandlers(keys, audit);
  return [
    route('get', '/keys', 'keys:read', handlers.list),
    route('post', '/keys/rotate', 'keys:write', handlers.rotate),
    route('post', '/keys/:kid/revoke', 'keys:write', handlers.revoke),
  ];
}
