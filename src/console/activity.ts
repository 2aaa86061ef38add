/**
 * /account/activity — the person's own recent audit events in plain words (activity-words.ts),
 * as a page or JSON (and /account/api/activity), and "This wasn't me".
 *
 * "This wasn't me" ends every other session of the person and every app's grant, this browser's
 * apps included, then asks the person to change their password. It keeps this browser's console
 * session on purpose: whoever was in has the password (or a session), so signing this browser out
 * too would only make the person type that same password again before they can change it, while
 * the stranger's sessions and tokens are already gone. The password change (which needs the
 * current password) is what locks the stranger out of signing in again.
 */
import type { Context } from 'koa';
import { ACCOUNT_CLIENT_ID, CLI_CLIENT_ID } from '../oidc/internal-clients.ts';
import { parseBody, wantsJson } from '../security/body.ts';
import { csrfToken, verifyCsrf } from '../security/csrf.ts';
import { describeUserAgent } from '../sessions/describe.ts';
import type { AuditRecord } from '../storage/port.ts';
import { describeEvent, GENERIC } from './activity-words.ts';
import { notMeForm } from './apps-schemas.ts';
import type { ConsoleDeps } from './deps.ts';
import { formatTime } from './sessions-page.ts';
import { signedIn } from './signed-in.ts';

/** How many events the page shows: a few weeks of an ordinary person's sign-ins. */
export const ACTIVITY_PAGE_LIMIT = 50;

export interface ActivityEntry {
  type: string;
  at: string;
  description: string;
  device: string | null;
  ip: string | null;
  application: string | null;
}

const OWN_NAMES: Record<string, string> = { [ACCOUNT_CLIENT_ID]: 'this account page', [CLI_CLIENT_ID]: 'the Portcullis command line' };

/** The person's events, newest first; `all` keeps the ones the page leaves out (the export). */
export async function personalActivity(deps: ConsoleDeps, accountId: string, limit: number, all = false): Promise<ActivityEntry[]> {
  const names = new Map<string, string>(Object.entries(OWN_NAMES));
  const nameOf = async (clientId: string | undefined): Promise<string | undefined> => {
    if (!clientId) return undefined;
    if (!names.has(clientId)) {
      const client = await deps.holder.current.Client.find(clientId).catch(() => undefined);
      names.set(clientId, client?.clientName ?? clientId);
    }
    return names.get(clientId);
  };
  const entries: ActivityEntry[] = [];
  for (const event of await deps.auditLog.list({ accountId, limit })) {
    const application = await nameOf(event.clientId);
    const description = describeEvent(event, application ?? 'an app') ?? (all ? GENERIC : undefined);
    if (description === undefined) continue;
    entries.push({
      type: event.type,
      at: event.at.toISOString(),
      description,
      device: deviceOf(event),
      ip: event.ip ?? null,
      application: application ?? null,
    });
  }
  return entries;
}

function deviceOf(event: AuditRecord): string | null {
  const userAgent = event.detail?.userAgent;
  return typeof userAgent === 'string' ? describeUserAgent(userAgent).label : null;
}

export function showActivity(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    const me = await signedIn(ctx, deps);
    const events = await personalActivity(deps, me.account.id, ACTIVITY_PAGE_LIMIT);
    if (wantsJson(ctx)) {
      ctx.body = { events, csrf_token: csrfToken(ctx) };
      return;
    }
    await deps.render(ctx, 'account-activity', {
      csrf: csrfToken(ctx),
      accountName: me.account.name ?? me.account.username,
      events: events.map((event) => ({ ...event, when: formatTime(new Date(event.at)) })),
    });
  };
}

export function reportNotMe(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    const form = await parseBody(ctx, notMeForm);
    verifyCsrf(ctx, form.csrf);
    const me = await signedIn(ctx, deps);
    const accountId = me.account.id;
    const apps = await deps.apps.list(accountId);
    const sessionsEnded = await deps.sessions.endAllExcept(accountId, me.sessionUid, 'not_me');
    // endAllExcept keeps the grants made in this browser's session; those apps go too.
    for (const app of await deps.apps.list(accountId)) await deps.apps.revoke(accountId, app.clientId, 'not_me');
    deps.audit.emit({ type: 'account.not_me', accountId, detail: { sessionsEnded, apps: apps.length } });
    if (wantsJson(ctx)) {
      ctx.body = { sessions_ended: sessionsEnded, apps_signed_out: apps.length, next: '/account/password' };
      return;
    }
    await deps.render(ctx, 'account-not-me', {
      sessions: sessionsEnded === 1 ? '1 other session' : `${sessionsEnded} other sessions`,
      apps: apps.length === 1 ? '1 app' : `${apps.length} apps`,
      mfaOn: await deps.mfa.isEnrolled(accountId),
    });
  };
}
