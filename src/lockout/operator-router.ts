/**
 * The operator endpoint behind `portcullis lockout …`: lock or unlock a username or an IP
 * address. Mounted only when LOCKOUT_OPERATOR_TOKEN is set, and answering only to
 * `Authorization: Bearer <that token>`. It lives in the server because the in-process store
 * lives there; with Redis any instance serves it for all.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { z } from 'zod';
import type { AccountService } from '../accounts/service.ts';
import type { AuditBus } from '../audit/bus.ts';
import { parseBody } from '../security/body.ts';
import { AppError } from '../security/errors.ts';
import { noStore } from '../security/headers.ts';
import type { Limiter } from './limiter.ts';

export const OPERATOR_PATH = '/admin/lockout';

const target = z.union([
  z.object({ username: z.string().trim().min(1).max(254) }).strict(),
  z.object({ ip: z.string().refine((value) => isIP(value) !== 0, 'not an IP address') }).strict(),
]);

const digest = (value: string) => createHash('sha256').update(value).digest();

export interface OperatorDeps {
  limiter: Limiter;
  accounts: AccountService;
  audit: AuditBus;
  token: string;
}

export function operatorRouter(deps: OperatorDeps): Router {
  const expected = digest(deps.token);
  const router = new Router({ prefix: OPERATOR_PATH });
  router.use(noStore);
  router.use(async (ctx: Context, next: Next) => {
    const [scheme, presented] = ctx.get('authorization').split(' ');
    // Compare digests: equal length always, so timingSafeEqual never throws and length leaks nothing.
    if (scheme?.toLowerCase() !== 'bearer' || !presented || !timingSafeEqual(digest(presented), expected)) {
      throw new AppError(401, 'invalid_token', 'an operator token is required', { headers: { 'WWW-Authenticate': 'Bearer' } });
    }
    if (!deps.limiter.healthy()) {
      // A change made only in this process would come undone when Redis returns.
      throw new AppError(503, 'temporarily_unavailable', 'Redis is unreachable; lockout changes would not be shared, try again shortly', { headers: { 'Retry-After': '5' } });
    }
    await next();
  });

  router.post('/unlock', async (ctx) => {
    const body = await parseBody(ctx, target);
    if ('username' in body) {
      const account = await deps.accounts.findByUsername(body.username);
      await deps.limiter.unlock({ username: body.username, ...(account ? { person: account.id } : {}) });
      deps.audit.emit({ type: 'account.unlocked', accountId: account?.id, detail: { scope: 'username', by: 'operator' } });
    } else {
      await deps.limiter.unlock({ ip: body.ip });
      deps.audit.emit({ type: 'account.unlocked', detail: { scope: 'ip', address: body.ip, by: 'operator' } });
    }
    ctx.body = { unlocked: body };
  });

  router.post('/lock', async (ctx) => {
    const body = await parseBody(ctx, target);
    if ('username' in body) {
      const account = await deps.accounts.findByUsername(body.username);
      await deps.limiter.lock('username', body.username);
      deps.audit.emit({ type: 'account.locked', accountId: account?.id, detail: { scope: 'username', temporary: false, by: 'operator' } });
    } else {
      await deps.limiter.lock('ip', body.ip);
      deps.audit.emit({ type: 'account.locked', detail: { scope: 'ip', address: body.ip, temporary: false, by: 'operator' } });
    }
    ctx.body = { locked: body };
  });
  return router;
}
