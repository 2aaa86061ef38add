/** Who is asking on the self-service pages: the person signed in at the issuer in this browser. */
import type { Context } from 'koa';
import { requireSignedIn, type SignedIn } from '../account/signed-in.ts';
import type { AccountService } from '../accounts/service.ts';
import type { ProviderHolder } from '../oidc/holder.ts';

export type { SignedIn };

export function signedIn(ctx: Context, holder: ProviderHolder, accounts: AccountService): Promise<SignedIn> {
  return requireSignedIn(ctx, holder.current, accounts);
}
