/** oidc-provider's findAccount: claims come from the account, filtered by scope by the provider. */
import type { FindAccount } from 'oidc-provider';
import { accountClaims } from '../accounts/claims.ts';
import type { AccountService } from '../accounts/service.ts';

export function createFindAccount(accounts: AccountService): FindAccount {
  return async (_ctx, sub) => {
    const account = await accounts.findById(sub);
    // A disabled or deleted person's tokens stop working at userinfo and introspection at once,
    // and their refresh tokens are refused (oidc-provider answers invalid_grant without an account).
    if (account?.status !== 'active' || account.deletedAt !== undefined) return undefined;
    return {
      accountId: account.id,
      async claims() {
        return accountClaims(account) as { sub: string };
      },
    };
  };
}
