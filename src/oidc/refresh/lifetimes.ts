/**
 * How long refresh tokens and their grants live.
 *
 * A refresh token lives `idle` seconds from its issue. Every use rotates it, and the new token
 * gets a fresh `idle`, so an application in use stays signed in: the lifetime slides. It never
 * reaches past the family's absolute end, counted from `iiat` (the first token's issue time,
 * which oidc-provider copies into every rotated token), nor past its grant.
 */
export interface RefreshLifetimes {
  /** Seconds a refresh token may lie unused (REFRESH_TOKEN_TTL). */
  idle: number;
  /** Seconds a family may live in all, however busy (REFRESH_TOKEN_ABSOLUTE_TTL). */
  absolute: number;
}

export function refreshTokenTtl(lifetimes: RefreshLifetimes, now: number, iiat: number, grantExpiresAt?: number): number {
  const untilFamilyEnd = iiat + lifetimes.absolute - now;
  const untilGrantEnd = grantExpiresAt === undefined ? Number.POSITIVE_INFINITY : grantExpiresAt - now;
  // oidc-provider wants a positive integer. A token is only ever issued from a live token whose
  // own expiry is within both ends, so this floor of 1 second can only hand out a last second.
  return Math.max(1, Math.floor(Math.min(lifetimes.idle, untilFamilyEnd, untilGrantEnd)));
}

/**
 * A grant is created at the first sign-in to a client in a browser session and reused by every
 * later sign-in in that session (oidc-provider's `grantIdFor`). A family may therefore begin as
 * late as the session's end and must still get its full absolute life: the grant lives for
 * both. (oidc-provider's default grant TTL would otherwise cut refresh tokens short, silently.)
 */
export function grantTtl(ttl: { refreshTokenAbsolute: number; session: number }): number {
  return ttl.refreshTokenAbsolute + ttl.session;
}
