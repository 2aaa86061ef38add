/**
 * The console signs people in as a relying party of its own issuer: the internal client
 * `portcullis-account` (oidc/internal-clients.ts: public, code + PKCE S256, first party, so no
 * consent screen). `beginSignIn` keeps state, nonce and the PKCE verifier in a signed 10-minute
 * cookie and sends the browser to the authorization endpoint; `/account/callback` checks the
 * state, redeems the code at the token endpoint in process (oidc/in-process.ts), verifies the ID
 * token against the issuer's published keys (issuer, audience, expiry, nonce) and binds the
 * console cookie to the ID token's `sid` — the issuer session that signed in.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createLocalJWKSet, type JWK, jwtVerify } from 'jose';
import type { Context } from 'koa';
import { ACCOUNT_CLIENT_ID } from '../oidc/internal-clients.ts';
import { AppError } from '../security/errors.ts';
import { TRANSACTION_SECONDS } from './cookies.ts';
import type { ConsoleDeps } from './deps.ts';
import { safeReturnTo } from './return-to.ts';

const random = () => randomBytes(32).toString('base64url');
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

const redirectUri = (issuer: string) => `${issuer.replace(/\/$/, '')}/account/callback`;

/**
 * Sends the browser to the issuer to sign in, to come back to `returnTo` (checked twice: here and
 * at the callback). `maxAge` (step-up.ts) asks the issuer for a sign-in at most that old: past
 * it, the password again (and the second factor when enrolled).
 */
export function beginSignIn(ctx: Context, deps: ConsoleDeps, returnTo: string, maxAge?: number): void {
  const transaction = {
    state: random(),
    nonce: random(),
    verifier: random(),
    returnTo: safeReturnTo(returnTo),
    exp: Math.floor(deps.now() / 1000) + TRANSACTION_SECONDS,
  };
  deps.cookies.setTransaction(ctx, transaction);
  const url = new URL(`${deps.issuer.replace(/\/$/, '')}/auth`);
  url.search = new URLSearchParams({
    client_id: ACCOUNT_CLIENT_ID,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: redirectUri(deps.issuer),
    state: transaction.state,
    nonce: transaction.nonce,
    code_challenge: s256(transaction.verifier),
    code_challenge_method: 'S256',
    ...(maxAge === undefined ? {} : { max_age: String(maxAge) }),
  }).toString();
  ctx.status = 303;
  ctx.redirect(url.href);
}

const START_OVER = 'The sign-in could not be completed. Open your account page again to sign in.';
const refused = (code: string) => new AppError(400, code, START_OVER);

async function redeem(deps: ConsoleDeps, code: string, verifier: string): Promise<string> {
  const response = await deps.post('/token', {
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri(deps.issuer),
    client_id: ACCOUNT_CLIENT_ID,
    code_verifier: verifier,
  });
  let idToken: unknown;
  try {
    idToken = (JSON.parse(response.body) as { id_token?: unknown }).id_token;
  } catch {
    idToken = undefined;
  }
  if (response.status !== 200 || typeof idToken !== 'string') throw refused('invalid_grant');
  return idToken;
}

async function verifyIdToken(deps: ConsoleDeps, idToken: string, nonce: string): Promise<{ sub: string; authTime: number | undefined }> {
  try {
    const { payload } = await jwtVerify(idToken, createLocalJWKSet({ keys: deps.verificationKeys() as JWK[] }), {
      issuer: deps.issuer,
      audience: ACCOUNT_CLIENT_ID,
    });
    if (payload.nonce !== nonce || typeof payload.sub !== 'string') throw new Error('claims');
    return { sub: payload.sub, authTime: typeof payload.auth_time === 'number' ? payload.auth_time : undefined };
  } catch {
    throw refused('invalid_id_token');
  }
}

const one = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 && value.length <= 2048 ? value : undefined);

export function callback(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    const transaction = deps.cookies.takeTransaction(ctx, Math.floor(deps.now() / 1000));
    const state = one(ctx.query.state);
    if (!transaction || state !== transaction.state) throw refused('invalid_state');
    const iss = one(ctx.query.iss);
    if (iss !== undefined && iss !== deps.issuer) throw refused('invalid_issuer');
    if (one(ctx.query.error)) {
      // The person cancelled, or the issuer refused (a disabled account, a missing second factor).
      throw new AppError(403, 'sign_in_not_completed', 'You did not finish signing in. Open your account page again to try once more.');
    }
    const code = one(ctx.query.code);
    if (!code) throw refused('invalid_request');
    const claims = await verifyIdToken(deps, await redeem(deps, code, transaction.verifier), transaction.nonce);
    // The console cookie is bound to the `sid` of this browser's issuer session for the console
    // client. The ID token does not carry `sid` (oidc-provider adds it only for clients with
    // back-channel logout), so it is read from the session — which must be the one that just
    // signed in: the same person, at the same auth_time. State and PKCE already tie the code to
    // this browser's transaction; this also refuses a session that changed hands in between.
    const session = await deps.holder.current.Session.get(ctx);
    const sid = session.authorizations?.[ACCOUNT_CLIENT_ID]?.sid;
    if (session.accountId !== claims.sub || typeof sid !== 'string' || session.authTime() !== claims.authTime) throw refused('session_mismatch');
    deps.cookies.setSession(ctx, { sub: claims.sub, sid });
    ctx.status = 303;
    ctx.redirect(safeReturnTo(transaction.returnTo));
  };
}
