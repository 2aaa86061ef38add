/**
 * What a CSRF token is bound to (csrf.ts): on the sign-in pages, the interaction in the URL
 * (interactions/details.ts refuses a URL whose uid is not the browser's own interaction); on
 * every other page, the issuer session this browser presents, by the value of oidc-provider's
 * session cookie. That value is the session's secret id, which a sibling subdomain never sees;
 * reading the cookie as sent (unsigned) is enough, because a request whose session cookie is not
 * genuine is not signed in and is refused by the page itself.
 */
import type { Context } from 'koa';

export function bindToInteractionOrSession(sessionCookie: string) {
  return (ctx: Context): string => {
    // Only below /interaction/: under /account/api/sessions/:uid the parameter names a session.
    const uid: unknown = ctx.path.startsWith('/interaction/') ? ctx.params?.uid : undefined;
    if (typeof uid === 'string') return `interaction:${uid}`;
    return `session:${ctx.cookies.get(sessionCookie) ?? ''}`;
  };
}
