/**
 * /account/apps — the applications holding a grant of the person (sessions/connected-apps.ts):
 * the page, the same as JSON (content negotiation, and /account/api/apps), and revoking one by
 * form (POST /account/apps/revoke) or by DELETE /account/apps/:clientId. Revoking an app the
 * person has not connected, or one of Portcullis's own clients, is 404 app_not_found and changes
 * nothing.
 */
import type { Context } from 'koa';
import { adminResourceOf } from '../rbac/scopes.ts';
import { parseBody, wantsJson } from '../security/body.ts';
import { csrfToken, verifyCsrf } from '../security/csrf.ts';
import { AppError } from '../security/errors.ts';
import type { ConnectedApp } from '../sessions/connected-apps.ts';
import { clientId, revokeAppForm, revokedQuery } from './apps-schemas.ts';
import type { ConsoleDeps } from './deps.ts';
import { resourceName, scopeWords } from './scope-words.ts';
import { formatTime } from './sessions-page.ts';
import { type SignedIn, signedIn } from './signed-in.ts';

export function appJson(app: ConnectedApp, issuer: string) {
  const admin = adminResourceOf(issuer);
  return {
    client_id: app.clientId,
    name: app.name,
    scopes: app.scopes,
    access: app.scopes.map(scopeWords),
    resources: app.resources.map((resource) => ({ identifier: resource.identifier, name: resourceName(resource.identifier, admin), scopes: resource.scopes })),
    since: app.since.toISOString(),
    last_used_at: app.lastUsedAt?.toISOString() ?? null,
  };
}

function toView(app: ConnectedApp, issuer: string) {
  const json = appJson(app, issuer);
  return {
    clientId: app.clientId,
    name: app.name,
    access: json.access,
    resources: json.resources.map((resource) => `${resource.name}: ${resource.scopes.length ? resource.scopes.join(', ') : 'no particular permission'}`),
    since: formatTime(app.since),
    sinceIso: json.since,
    lastUsed: app.lastUsedAt ? formatTime(app.lastUsedAt) : 'not since you allowed it',
    lastUsedIso: json.last_used_at ?? '',
  };
}

async function revoke(deps: ConsoleDeps, me: SignedIn, id: string): Promise<number> {
  const revoked = await deps.apps.revoke(me.account.id, id, 'self');
  if (revoked === 0) throw new AppError(404, 'app_not_found', 'No app by that id has access to your account.');
  deps.audit.emit({ type: 'account.app_revoked', accountId: me.account.id, clientId: id, detail: { grants: revoked } });
  return revoked;
}

async function notice(deps: ConsoleDeps, revoked: unknown): Promise<string | undefined> {
  const parsed = revokedQuery.safeParse(revoked);
  if (!parsed.success) return undefined;
  const client = await deps.holder.current.Client.find(parsed.data).catch(() => undefined);
  return `${client?.clientName ?? 'The app'} no longer has access to your account.`;
}

export function showApps(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    const me = await signedIn(ctx, deps);
    const apps = await deps.apps.list(me.account.id);
    if (wantsJson(ctx)) {
      ctx.body = { apps: apps.map((app) => appJson(app, deps.issuer)), csrf_token: csrfToken(ctx) };
      return;
    }
    await deps.render(ctx, 'account-apps', {
      csrf: csrfToken(ctx),
      accountName: me.account.name ?? me.account.username,
      apps: apps.map((app) => toView(app, deps.issuer)),
      notice: await notice(deps, ctx.query.revoked),
    });
  };
}

export function revokeAppByForm(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    const form = await parseBody(ctx, revokeAppForm);
    verifyCsrf(ctx, form.csrf);
    const me = await signedIn(ctx, deps);
    const revoked = await revoke(deps, me, form.client_id);
    if (wantsJson(ctx)) {
      ctx.body = { revoked };
      return;
    }
    ctx.status = 303;
    ctx.redirect(`/account/apps?revoked=${encodeURIComponent(form.client_id)}`);
  };
}

export function revokeAppJson(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    verifyCsrf(ctx, undefined);
    const id = clientId.safeParse(ctx.params.clientId);
    if (!id.success) throw new AppError(400, 'invalid_request', 'invalid client id');
    const me = await signedIn(ctx, deps);
    ctx.body = { revoked: await revoke(deps, me, id.data) };
  };
}
