/**
 * Who is signed in to the console. The console is a relying party of its own issuer
 * (sign-in.ts): its cookie names the account and the issuer session (`sid`) it signed in
 * through, and it counts only while this browser still presents that issuer session, read through
 * oidc-provider's public `Session.get`. So signing out at the issuer, the session expiring, or
 * "sign out everywhere" (which destroys the session) ends the console session at the next request.
 */
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { AccountService } from '../accounts/service.ts';
import type { ProviderHolder } from '../oidc/holder.ts';
import { ACCOUNT_CLIENT_ID } from '../oidc/internal-clients.ts';
import { AppError } from '../security/errors.ts';
import type { AccountRecord } from '../storage/port.ts';
import type { ConsoleCookies } from './cookies.ts';

export interface SignedIn {
  account: AccountRecord;
  /** How the session was authenticated (RFC 8176), e.g. ["pwd"] or ["pwd","otp","mfa"]. */
  amr: string[];
  /** The uid of this browser's session (the one "end all other sessions" keeps). */
  sessionUid: string;
  /** When the person last authenticated in this session (epoch seconds), if known. */
  authTime: number | undefined;
}

export const LOGIN_REQUIRED = 'login_required';

const notSignedIn = () => new AppError(401, LOGIN_REQUIRED, 'You are not signed in to your account here. Open this page in a browser to sign in.');

export async function requireSignedIn(
  ctx: Context,
  provider: Provider,
  accounts: Pick<AccountService, 'findById'>,
  cookies: ConsoleCookies,
): Promise<SignedIn> {
  const claimed = cookies.session(ctx);
  if (!claimed) throw notSignedIn();
  const session = await provider.Session.get(ctx);
  const bound = session.accountId === claimed.sub && session.authorizations?.[ACCOUNT_CLIENT_ID]?.sid === claimed.sid;
  const account = bound ? await accounts.findById(claimed.sub) : undefined;
  if (account?.status !== 'active') {
    cookies.clearSession(ctx);
    throw notSignedIn();
  }
  return { account, amr: session.amr ?? [], sessionUid: session.uid, authTime: session.authTime() };
}

/** The signed-in person of this browser, for the /account routes. */
export function signedIn(
  ctx: Context,
  deps: { holder: ProviderHolder; accounts: Pick<AccountService, 'findById'>; cookies: ConsoleCookies },
): Promise<SignedIn> {
  return requireSignedIn(ctx, deps.holder.current, deps.accounts, deps.cookies);
}
