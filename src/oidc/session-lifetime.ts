/**
 * How long a browser session at the issuer lives. oidc-provider saves the session on every
 * authorization request that uses it and asks `ttl.Session` each time, so returning the idle
 * timeout here makes it slide with use; the absolute end, counted from the session's creation
 * (`iat`, kept across saves), caps it. The store then drops the session when it runs out.
 */
export interface SessionLifetimes {
  /** SESSION_IDLE_TTL, seconds. */
  idle: number;
  /** SESSION_TTL, seconds. */
  absolute: number;
}

export function sessionTtl(lifetimes: SessionLifetimes, now: number, createdAt: number | undefined): number {
  const untilEnd = (createdAt ?? now) + lifetimes.absolute - now;
  // A positive integer for oidc-provider. A session found in the store is within its end, so the
  // floor of 1 second only matters in its very last second.
  return Math.max(1, Math.floor(Math.min(lifetimes.idle, untilEnd)));
}

/**
 * A session with no account yet: oidc-provider saves one on GET /device and GET /session/end to
 * keep the form's anti-forgery secret, and anyone can ask for as many as they like. Ten minutes:
 * the device code it serves lives 600 s too, a logout confirmation takes seconds, and each use
 * slides it. A sign-in in the same browser saves the session again with an account, and from
 * then on the idle and absolute lifetimes above apply.
 */
export const ANONYMOUS_SESSION_TTL = 600;

export function sessionTtlFor(lifetimes: SessionLifetimes, now: number, session: { iat?: number | undefined; accountId?: string | undefined }): number {
  const ttl = sessionTtl(lifetimes, now, session.iat);
  return session.accountId ? ttl : Math.min(ttl, ANONYMOUS_SESSION_TTL);
}
