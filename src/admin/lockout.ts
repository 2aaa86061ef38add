/**
 * The lockout handlers of the admin API (what `portcullis lockout …` calls): see, lock or
 * unlock a username or an IP address. They live in the server because without Redis the
 * counters live in its memory; with Redis any instance serves all.
 */
import { isIP } from 'node:net';
import type { Context, Next } from 'koa';
import { z } from 'zod';
import type { AccountService } from '../accounts/service.ts';
import type { AuditBus } from '../audit/bus.ts';
import { DIMENSIONS } from '../lockout/dimensions.ts';
import type { Subject } from '../lockout/keys.ts';
import type { Limiter } from '../lockout/limiter.ts';
import { parseBody, parseQuery } from '../security/body.ts';
import { AppError } from '../security/errors.ts';
import { actorOf, actorRef } from './actor.ts';
import { auditAdmin } from './audit.ts';
import { route } from './routes.ts';

const username = z.string().trim().min(1).max(254);
const ip = z.string().refine((value) => isIP(value) !== 0, 'not an IP address');

const target = z.union([z.object({ username }).strict(), z.object({ ip }).strict()]);
const statusQuery = z
  .object({ username: username.optional(), ip: ip.optional() })
  .strict()
  .refine((query) => query.username !== undefined || query.ip !== undefined, 'name a username, an ip or both');

export interface LockoutDeps {
  limiter: Limiter;
  accounts: AccountService;
  audit: AuditBus;
}

export function lockoutHandlers(deps: LockoutDeps) {
  const person = async (name: string) => (await deps.accounts.findByUsername(name))?.id;
  const personOf = async (body: { username: string } | { ip: string }) => ('username' in body ? person(body.username) : undefined);
  return {
    /** A change made only in this process would come undone when Redis returns: refuse it. */
    async sharedCounters(_ctx: Context, next: Next) {
      if (!deps.limiter.healthy()) {
        throw new AppError(503, 'temporarily_unavailable', 'Redis is unreachable; lockout changes would not be shared, try again shortly', {
          headers: { 'Retry-After': '5' },
        });
      }
      await next();
    },

    /** Every dimension the subject is counted in that holds a failure or a wait, and the hard locks. */
    async status(ctx: Context) {
      const query = parseQuery(ctx, statusQuery);
      const accountId = query.username === undefined ? undefined : await person(query.username);
      const subject: Subject = { ...query, ...(accountId ? { person: accountId } : {}) };
      const counted = [];
      for (const dimension of DIMENSIONS) {
        if (!deps.limiter.spec(dimension).parts.every((part) => subject[part] !== undefined)) continue;
        const verdict = await deps.limiter.check(dimension, subject);
        if (verdict.failures > 0 || !verdict.allowed) {
          counted.push({ dimension, failures: verdict.failures, allowed: verdict.allowed, retry_after: verdict.retryAfter });
        }
      }
      ctx.body = {
        ...query,
        locked: {
          ...(query.username !== undefined ? { username: await deps.limiter.locked('username', query.username) } : {}),
          ...(query.ip !== undefined ? { ip: await deps.limiter.locked('ip', query.ip) } : {}),
        },
        dimensions: counted,
      };
    },

    async unlock(ctx: Context) {
      const body = await parseBody(ctx, target);
      if ('username' in body) {
        const accountId = await person(body.username);
        await deps.limiter.unlock({ username: body.username, ...(accountId ? { person: accountId } : {}) });
        deps.audit.emit({ type: 'account.unlocked', accountId, detail: { scope: 'username', by: actorOf(ctx).kind, actor: actorRef(actorOf(ctx)) } });
      } else {
        await deps.limiter.unlock({ ip: body.ip });
        deps.audit.emit({ type: 'account.unlocked', detail: { scope: 'ip', address: body.ip, by: actorOf(ctx).kind, actor: actorRef(actorOf(ctx)) } });
      }
      auditLockout(deps.audit, ctx, 'unlock', body, await personOf(body));
      ctx.body = { unlocked: body };
    },

    async lock(ctx: Context) {
      const body = await parseBody(ctx, target);
      if ('username' in body) {
        const accountId = await person(body.username);
        await deps.limiter.lock('username', body.username);
        deps.audit.emit({
          type: 'account.locked',
          accountId,
          detail: { scope: 'username', temporary: false, by: actorOf(ctx).kind, actor: actorRef(actorOf(ctx)) },
        });
      } else {
        await deps.limiter.lock('ip', body.ip);
        deps.audit.emit({
          type: 'account.locked',
          detail: { scope: 'ip', address: body.ip, temporary: false, by: actorOf(ctx).kind, actor: actorRef(actorOf(ctx)) },
        });
      }
      auditLockout(deps.audit, ctx, 'lock', body, await personOf(body));
      ctx.body = { locked: body };
    },
  };
}

export function lockoutRoutes(deps: LockoutDeps) {
  const lockout = lockoutHandlers(deps);
  return [
    route('get', '/lockout', 'lockout:read', lockout.status),
    route('post', '/lockout/unlock', 'lockout:write', lockout.sharedCounters, lockout.unlock),
    route('post', '/lockout/lock', 'lockout:write', lockout.sharedCounters, lockout.lock),
  ];
}

function auditLockout(
  audit: AuditBus,
  ctx: Context,
  verb: 'lock' | 'unlock',
  body: { username: string } | { ip: string },
  accountId: string | undefined,
): void {
  auditAdmin(audit, ctx, {
    resource: 'lockout',
    verb,
    target: accountId ? { kind: 'user', id: accountId } : undefined,
    subject: accountId,
    detail: 'username' in body ? { scope: 'username' } : { scope: 'ip', address: body.ip },
  });
}
