/**
 * What a CSRF token is bound to (csrf.ts): on the sign-in pages, the interaction in the URL
 * (interactions/details.ts refuses a URL whose uid is not the browser's own interaction); on
 * every other page, the issuer session this browser presents, by the value of oidc-provider's
 * session cookie. That value is the session's secret id, which a sibling subdomain never sees;
 * reading the cookie as sent (unsigned) is enough, because a request whose session cookie is not
 * genuine is not signed in and is refused by the page itself. The link pages (reset, email
 * verification, email change) are bound to their link's token, which a sibling that planted a cookie does not know.
 */
import type { Context } from 'koa';

const LINK_PAGE = /^\/(?:password\/reset|email\/verify|account\/email\/confirm)\//;

export function bindToInteractionOrSession(sessionCookie: string) {
  return (ctx: Context): string => {
    // Only below /interaction/: under /account/api/sessions/:uid the parameter names a session.
    const uid: unknown = ctx.path.startsWith('/interaction/') ? ctx.params?.uid : undefined;
    if (typeof uid === 'string') return `interaction:${uid}`;
    const link: unknown = LINK_PAGE.test(ctx.path) ? ctx.params?.token : undefined;
    if (typeof link === 'string') return `link:${link}`;
    return `session:${ctx.cookies.get(sessionCookie) ?? ''}`;
  };
}
