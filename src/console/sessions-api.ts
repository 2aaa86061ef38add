/**
 * The session operations as JSON, for scripts and custom front ends. Same authentication (the
 * browser's session at the issuer) and CSRF rule (header X-CSRF-Token, the token comes with the
 * list) as the page; the answers are always JSON.
 */
import type { Context, Next } from 'koa';
import { csrfToken, verifyCsrf } from '../security/csrf.ts';
import { AppError } from '../security/errors.ts';
import type { SessionSummary } from '../sessions/service.ts';
import type { ConsoleDeps } from './deps.ts';
import { sessionUid } from './schemas.ts';
import { signedIn } from './signed-in.ts';
import { requireRecentSignIn } from './step-up.ts';

/** Errors below /account/api are JSON whatever the Accept header says (error-handler.ts reads it). */
export async function answerJson(ctx: Context, next: Next): Promise<void> {
  ctx.request.headers.accept = 'application/json';
  await next();
}

export function sessionJson(session: SessionSummary) {
  return {
    uid: session.uid,
    current: session.current,
    device: session.device,
    ip: session.ip ?? null,
    created_at: session.createdAt.toISOString(),
    signed_in_at: session.signedInAt?.toISOString() ?? null,
    last_active_at: session.lastActiveAt?.toISOString() ?? null,
    expires_at: session.expiresAt?.toISOString() ?? null,
    applications: session.applications.map((application) => ({ client_id: application.clientId, name: application.name })),
  };
}

export function listSessionsJson(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    const me = await signedIn(ctx, deps);
    const sessions = await deps.sessions.list(me.account.id, me.sessionUid);
    ctx.body = { sessions: sessions.map(sessionJson), csrf_token: csrfToken(ctx) };
  };
}

export function endSessionJson(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    verifyCsrf(ctx, undefined);
    const uid = sessionUid.safeParse(ctx.params.uid);
    if (!uid.success) throw new AppError(400, 'invalid_request', 'invalid session id');
    const me = await signedIn(ctx, deps);
    if (!(await deps.sessions.end(me.account.id, uid.data, 'self'))) {
      throw new AppError(404, 'session_not_found', 'no such session');
    }
    ctx.status = 204;
  };
}

export function endOtherSessionsJson(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    verifyCsrf(ctx, undefined);
    const me = await requireRecentSignIn(ctx, deps);
    ctx.body = { ended: await deps.sessions.endAllExcept(me.account.id, me.sessionUid, 'self_others') };
  };
}
