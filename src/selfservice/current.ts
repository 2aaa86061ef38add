/**
 * Who is asking: the person signed in at the issuer in this browser, from oidc-provider's own
 * session cookie (`Session.get`, public API). No separate login and no separate cookie: the
 * self-service pages are as signed in as the browser is, and signing out there signs out here.
 */
import type { Context } from 'koa';
import type { AccountService } from '../accounts/service.ts';
import type { ProviderHolder } from '../oidc/holder.ts';
import { AppError } from '../security/errors.ts';
import type { AccountRecord } from '../storage/port.ts';

export interface SignedIn {
  account: AccountRecord;
  /** The uid of this browser's session (the one that must not be ended by "all others"). */
  sessionUid: string;
}

const NOT_SIGNED_IN = 'You are not signed in here. Sign in to one of your applications, then come back to this page.';

export async function signedIn(ctx: Context, holder: ProviderHolder, accounts: AccountService): Promise<SignedIn> {
  const session = await holder.current.Session.get(ctx);
  if (!session.accountId) throw new AppError(401, 'login_required', NOT_SIGNED_IN);
  const account = await accounts.findById(session.accountId);
  if (account?.status !== 'active') throw new AppError(401, 'login_required', NOT_SIGNED_IN);
  return { account, sessionUid: session.uid };
}
