/**
 * Who is signed in at the issuer, read from the issuer's own session cookie through
 * oidc-provider's public `Session.get`. Account pages are authenticated by that session alone:
 * no second login system, and signing out at the issuer signs out of them too.
 */
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { AccountService } from '../accounts/service.ts';
import type { ProviderHolder } from '../oidc/holder.ts';
import { AppError } from '../security/errors.ts';
import type { AccountRecord } from '../storage/port.ts';

export interface SignedIn {
  account: AccountRecord;
  /** How the session was authenticated (RFC 8176), e.g. ["pwd"] or ["pwd","otp","mfa"]. */
  amr: string[];
  /** The uid of this browser's session (the one "end all other sessions" keeps). */
  sessionUid: string;
  /** When the person last authenticated in this session (epoch seconds), if known. */
  authTime: number | undefined;
}

export async function requireSignedIn(ctx: Context, provider: Provider, accounts: Pick<AccountService, 'findById'>): Promise<SignedIn> {
  const session = await provider.Session.get(ctx);
  const account = session.accountId ? await accounts.findById(session.accountId) : undefined;
  if (account?.status !== 'active') {
    throw new AppError(401, 'login_required', 'You are not signed in here. Sign in through one of your applications first, then come back to this page.');
  }
  return { account, amr: session.amr ?? [], sessionUid: session.uid, authTime: session.authTime() };
}

/** The signed-in person of this browser, for the /account routes. */
export function signedIn(ctx: Context, deps: { holder: ProviderHolder; accounts: Pick<AccountService, 'findById'> }): Promise<SignedIn> {
  return requireSignedIn(ctx, deps.holder.current, deps.accounts);
}
