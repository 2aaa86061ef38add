/**
 * /account/data — "Your data" (GDPR access and portability, articles 15 and 20): the person's
 * profile, second factors, sessions, connected apps and own audit events as one JSON document.
 * A page explains it and links the download; `Accept: application/json` answers the document,
 * `?download=1` the same as a file (portcullis-data.json).
 *
 * Every field is copied by name from an allow-list, never by spreading a stored record: the
 * password hash and its history, the sealed TOTP secret, the backup code hashes and the
 * enrolment binding, and a passkey's public key, sign counter and authenticator model stay out by construction, and a field added to a record later stays out
 * until someone decides it belongs here.
 */
import type { Context } from 'koa';
import { wantsJson } from '../security/body.ts';
import type { AccountRecord, MfaFactorRecord } from '../storage/port.ts';
import { personalActivity } from './activity.ts';
import { appJson } from './apps.ts';
import { downloadQuery } from './apps-schemas.ts';
import type { ConsoleDeps } from './deps.ts';
import { passkeyJson } from './passkey-json.ts';
import { sessionJson } from './sessions-api.ts';
import { signedIn } from './signed-in.ts';

/** Every stored event of the person up to this many: AUDIT_RETENTION bounds them anyway. */
export const EXPORT_ACTIVITY_LIMIT = 1000;

const iso = (date: Date | undefined) => date?.toISOString() ?? null;

function profileJson(account: AccountRecord) {
  return {
    id: account.id,
    username: account.username,
    name: account.name ?? null,
    email: account.email ?? null,
    email_verified: account.emailVerified ?? false,
    roles: account.roles,
    admin_roles: account.adminRoles ?? [],
    status: account.status,
    created_at: iso(account.createdAt),
    updated_at: iso(account.updatedAt),
    password_changed_at: iso(account.passwordChangedAt),
  };
}

function factorJson(factor: MfaFactorRecord) {
  const base = { type: factor.type, created_at: iso(factor.createdAt), confirmed_at: iso(factor.confirmedAt) };
  return factor.type === 'backup_codes' ? { ...base, backup_codes_left: factor.codeHashes?.length ?? 0 } : base;
}

async function exportOf(deps: ConsoleDeps, ctx: Context) {
  const me = await signedIn(ctx, deps);
  const id = me.account.id;
  const [factors, passkeys, sessions, apps, activity] = await Promise.all([
    deps.factors.listByAccount(id),
    deps.passkeys ? deps.passkeys.list(id) : [],
    deps.sessions.list(id, me.sessionUid),
    deps.apps.list(id),
    personalActivity(deps, id, EXPORT_ACTIVITY_LIMIT, true),
  ]);
  return {
    exported_at: new Date(deps.now()).toISOString(),
    issuer: deps.issuer,
    profile: profileJson(me.account),
    factors: factors.map(factorJson),
    passkeys: passkeys.map(passkeyJson),
    sessions: sessions.map(sessionJson),
    apps: apps.map((app) => appJson(app, deps.issuer)),
    activity,
  };
}

export function showDataExport(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    const download = downloadQuery.safeParse(ctx.query.download).success;
    if (download || wantsJson(ctx)) {
      const data = await exportOf(deps, ctx);
      if (download) ctx.attachment('portcullis-data.json', { type: 'attachment' });
      ctx.type = 'application/json';
      ctx.body = JSON.stringify(data, null, 2);
      return;
    }
    const me = await signedIn(ctx, deps);
    await deps.render(ctx, 'account-data', { accountName: me.account.name ?? me.account.username });
  };
}
