/**
 * What the page after the logout form says. oidc-provider shows the same "post logout success"
 * page whichever button was pressed, so without looking a person who chose "No, stay signed in"
 * would read "You have been signed out" while still signed in. Read the issuer session (through
 * the public `Session.get`, as the account pages do) and say what actually happened.
 */
import type { KoaContextWithOIDC } from 'oidc-provider';

export interface LogoutNotice {
  title: string;
  message: string;
}

export async function postLogoutNotice(ctx: KoaContextWithOIDC): Promise<LogoutNotice> {
  const session = await ctx.oidc.provider.Session.get(ctx);
  if (!session.accountId) return { title: 'Signed out', message: 'You have been signed out.' };
  // client_id is forwarded here only when the person stayed signed in but left that client.
  const client = ctx.oidc.client;
  if (client) {
    return { title: `Signed out of ${client.clientName ?? client.clientId}`, message: `You are still signed in at ${ctx.host}.` };
  }
  return { title: 'Still signed in', message: `You are still signed in at ${ctx.host}.` };
}
