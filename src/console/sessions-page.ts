/** GET /account/sessions and its two forms: end one session, end all the others. */
import type { Context } from 'koa';
import { parseBody, wantsJson } from '../security/body.ts';
import { csrfToken, verifyCsrf } from '../security/csrf.ts';
import { AppError } from '../security/errors.ts';
import type { SessionSummary } from '../sessions/service.ts';
import type { ConsoleDeps } from './deps.ts';
import { csrfOnlyForm, endedQuery, endSessionForm } from './schemas.ts';
import { sessionJson } from './sessions-api.ts';
import { signedIn } from './signed-in.ts';
import { requireRecentSignIn } from './step-up.ts';

/** "2025-05-04 13:22 UTC": unambiguous for everyone, and no script is needed to localise it. */
export function formatTime(date: Date | undefined): string {
  return date ? `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'unknown';
}

function toView(session: SessionSummary) {
  return {
    uid: session.uid,
    current: session.current,
    device: session.device.label,
    ip: session.ip ?? 'unknown',
    createdAt: formatTime(session.createdAt),
    createdIso: session.createdAt.toISOString(),
    lastActive: formatTime(session.lastActiveAt),
    lastActiveIso: session.lastActiveAt?.toISOString() ?? '',
    applications: session.applications.map((application) => application.name),
  };
}

function notice(ended: unknown): string | undefined {
  const parsed = endedQuery.safeParse(ended);
  if (!parsed.success) return undefined;
  if (parsed.data === 0) return 'There were no other sessions to sign out.';
  return parsed.data === 1 ? 'Signed out of 1 session.' : `Signed out of ${parsed.data} sessions.`;
}

export function showSessions(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    const me = await signedIn(ctx, deps);
    const sessions = await deps.sessions.list(me.account.id, me.sessionUid);
    if (wantsJson(ctx)) {
      // The same answer as the /account/api/sessions alias.
      ctx.body = { sessions: sessions.map(sessionJson), csrf_token: csrfToken(ctx) };
      return;
    }
    await deps.render(ctx, 'sessions', {
      csrf: csrfToken(ctx),
      accountName: me.account.name ?? me.account.username,
      sessions: sessions.map(toView),
      notice: notice(ctx.query.ended),
    });
  };
}

export function endSessionByForm(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    const form = await parseBody(ctx, endSessionForm);
    verifyCsrf(ctx, form.csrf);
    const me = await signedIn(ctx, deps);
    if (!(await deps.sessions.end(me.account.id, form.uid, 'self'))) {
      throw new AppError(404, 'session_not_found', 'That session has already ended.');
    }
    if (form.uid === me.sessionUid) {
      await deps.render(ctx, 'message', { title: 'Signed out', message: 'You signed out of this browser.' });
      return;
    }
    ctx.status = 303;
    ctx.redirect('/account/sessions?ended=1');
  };
}

export function endOtherSessionsByForm(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    const form = await parseBody(ctx, csrfOnlyForm);
    verifyCsrf(ctx, form.csrf);
    const me = await requireRecentSignIn(ctx, deps, '/account/sessions');
    const ended = await deps.sessions.endAllExcept(me.account.id, me.sessionUid, 'self_others');
    ctx.status = 303;
    ctx.redirect(`/account/sessions?ended=${ended}`);
  };
}
