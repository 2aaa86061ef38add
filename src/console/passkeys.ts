/**
 * /account passkeys, a part of the two-step verification page (/account/mfa): add one (named),
 * rename, remove. Adding and removing need a recent sign-in (step-up.ts, ACCOUNT_REAUTH_MAX_AGE)
 * like every other change to second factors; the registration challenge is bound to this
 * browser's issuer session. Renaming changes nothing about sign-in, so the session suffices.
 */
import type { Context } from 'koa';
import { z } from 'zod';
import { credentialId } from '../mfa/passkeys/responses.ts';
import { NAME_MAX } from '../mfa/passkeys/service.ts';
import { parseBody } from '../security/body.ts';
import { verifyCsrf } from '../security/csrf.ts';
import { AppError } from '../security/errors.ts';
import { asHttp, passkeysUnavailable } from '../security/passkey-refusals.ts';
import type { ConsoleDeps } from './deps.ts';
import { signedIn } from './signed-in.ts';
import { requireRecentSignIn } from './step-up.ts';

const csrf = z.string().max(128).optional();
const optionsForm = z.object({ csrf }).strict();
const addForm = z.object({ csrf, response: z.string().min(2).max(12_000), name: z.string().max(NAME_MAX).optional() }).strict();
const renameForm = z.object({ csrf, id: credentialId, name: z.string().trim().min(1).max(NAME_MAX) }).strict();
const removeForm = z.object({ csrf, id: credentialId }).strict();

const PAGE = '/account/mfa';

function passkeysOf(deps: ConsoleDeps) {
  if (!deps.passkeys) throw passkeysUnavailable();
  return deps.passkeys;
}

function backToPage(ctx: Context, done: string) {
  ctx.status = 303;
  ctx.redirect(`${PAGE}?done=${done}`);
}

/** POST /account/passkeys/options — registration options (JSON, for passkeys.js). */
export const registrationOptions = (deps: ConsoleDeps) => async (ctx: Context) => {
  const form = await parseBody(ctx, optionsForm);
  verifyCsrf(ctx, form.csrf);
  const passkeys = passkeysOf(deps);
  const me = await requireRecentSignIn(ctx, deps, PAGE);
  const { account } = me;
  const options = await asHttp(() =>
    passkeys.registrationOptions({ id: account.id, username: account.username, name: account.name }, { kind: 'session', id: me.sessionUid }),
  );
  ctx.body = { options };
};

/** POST /account/passkeys — the browser's registration answer, as a form. */
export const addPasskey = (deps: ConsoleDeps) => async (ctx: Context) => {
  const form = await parseBody(ctx, addForm);
  verifyCsrf(ctx, form.csrf);
  const passkeys = passkeysOf(deps);
  const me = await requireRecentSignIn(ctx, deps, PAGE);
  await asHttp(() => passkeys.register(me.account.id, { kind: 'session', id: me.sessionUid }, form.response, form.name ?? ''));
  backToPage(ctx, 'passkey_added');
};

export const renamePasskey = (deps: ConsoleDeps) => async (ctx: Context) => {
  const form = await parseBody(ctx, renameForm);
  verifyCsrf(ctx, form.csrf);
  const { account } = await signedIn(ctx, deps);
  if (!(await passkeysOf(deps).rename(account.id, form.id, form.name)))
    throw new AppError(404, 'passkey_not_found', 'There is no such passkey on your account.');
  backToPage(ctx, 'passkey_renamed');
};

export const removePasskey = (deps: ConsoleDeps) => async (ctx: Context) => {
  const form = await parseBody(ctx, removeForm);
  verifyCsrf(ctx, form.csrf);
  const { account } = await requireRecentSignIn(ctx, deps, PAGE);
  if (!(await passkeysOf(deps).remove(account.id, form.id))) throw new AppError(404, 'passkey_not_found', 'There is no such passkey on your account.');
  backToPage(ctx, 'passkey_removed');
};
