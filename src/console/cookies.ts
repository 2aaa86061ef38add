/**
 * The console's two cookies, both signed with the cookie keys (Koa `signed: true`), HttpOnly and
 * SameSite=Lax (the sign-in returns by a top-level redirect that may have started on another
 * site, where Strict would drop them), Secure and `__Host-`-style names on https issuers:
 *
 *  - the sign-in transaction (state, nonce, PKCE verifier, where to return), Path=/account/callback,
 *    10 minutes: it lives from the redirect to the authorization endpoint until the callback;
 *  - the console session (account id and the ID token's `sid`), Path=/account: signed-in.ts accepts
 *    it only while this browser's issuer session is the one that `sid` names.
 */
import type { Context } from 'koa';

export interface CookieSettings {
  https: boolean;
}

export interface SignInTransaction {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
  /** Epoch seconds after which the callback refuses this transaction. */
  exp: number;
}

export interface ConsoleSession {
  /** The account id (`sub` of the ID token). */
  sub: string;
  /** The ID token's `sid`: which issuer session this console session belongs to. */
  sid: string;
}

/** 10 minutes: enough to sign in with a second factor, short enough that a stale tab starts over. */
export const TRANSACTION_SECONDS = 10 * 60;

const names = (settings: CookieSettings) =>
  settings.https
    ? { transaction: '__Secure-portcullis-account-signin', session: '__Secure-portcullis-account' }
    : { transaction: 'portcullis.account-signin', session: 'portcullis.account' };

function options(settings: CookieSettings, path: string, maxAge?: number) {
  return {
    signed: true,
    httpOnly: true,
    sameSite: 'lax' as const,
    path,
    overwrite: true,
    ...(maxAge === undefined ? {} : { maxAge: maxAge * 1000 }),
    ...(settings.https ? { secure: true } : {}),
  };
}

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

function decode(raw: string | undefined): Record<string, unknown> | undefined {
  if (!raw || raw.length > 2048) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 512;

export function consoleCookies(settings: CookieSettings) {
  const name = names(settings);
  return {
    setTransaction(ctx: Context, transaction: SignInTransaction): void {
      ctx.cookies.set(name.transaction, encode(transaction), options(settings, '/account/callback', TRANSACTION_SECONDS));
    },
    /** Reads and clears the transaction: each one is good for a single callback. */
    takeTransaction(ctx: Context, nowSeconds: number): SignInTransaction | undefined {
      const value = decode(ctx.cookies.get(name.transaction, { signed: true }));
      ctx.cookies.set(name.transaction, null, options(settings, '/account/callback'));
      if (!value || !isString(value.state) || !isString(value.nonce) || !isString(value.verifier) || !isString(value.returnTo)) return undefined;
      if (typeof value.exp !== 'number' || value.exp < nowSeconds) return undefined;
      return { state: value.state, nonce: value.nonce, verifier: value.verifier, returnTo: value.returnTo, exp: value.exp };
    },
    setSession(ctx: Context, session: ConsoleSession): void {
      // A session cookie (no Max-Age): it ends with the browser, and with the issuer session sooner.
      ctx.cookies.set(name.session, encode(session), options(settings, '/account'));
    },
    session(ctx: Context): ConsoleSession | undefined {
      const value = decode(ctx.cookies.get(name.session, { signed: true }));
      return value && isString(value.sub) && isString(value.sid) ? { sub: value.sub, sid: value.sid } : undefined;
    },
    clearSession(ctx: Context): void {
      ctx.cookies.set(name.session, null, options(settings, '/account'));
    },
  };
}

export type ConsoleCookies = ReturnType<typeof consoleCookies>;
