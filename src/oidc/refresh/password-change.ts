/**
 * A password change ends every refresh-token family that began before it. Whoever knew the old
 * password may have started one (and a family outlives its browser session: sessions/
 * account-grants.ts), so the change is the moment the person says "anything before this is not
 * mine for sure". This holds for the families of the browser that made the change too: its
 * session and grant stay (no new consent, no password asked again), so its application gets a new
 * family with one authorization request, while a copy of an old refresh token is worthless.
 *
 * When a family began is stamped on its first token in milliseconds (`familyBeganAt`) and carried
 * through every rotation, because oidc-provider's `iiat` counts whole seconds and a change made
 * in the same second as a sign-in must still be told apart from it. Tokens stored before the stamp
 * existed fall back to `iiat`, the start of its second: if anything, they are refused early.
 */
import type { ModelPayload } from '../../storage/port.ts';

export const FAMILY_BEGAN_AT = 'familyBeganAt';

/** Epoch milliseconds of the account's last password change, if the account exists. */
export type PasswordChangedAt = (accountId: string) => Promise<number | undefined>;

/** When the token's family began, epoch milliseconds (NaN when the token says nothing). */
export function familyBeganAt(token: ModelPayload): number {
  const stamped = token[FAMILY_BEGAN_AT];
  if (typeof stamped === 'number') return stamped;
  return typeof token.iiat === 'number' ? token.iiat * 1000 : Number.NaN;
}

/** True when the family began before the account's last password change (or cannot say when). */
export async function predatesPasswordChange(token: ModelPayload, changedAt: PasswordChangedAt): Promise<boolean> {
  if (typeof token.accountId !== 'string') return false;
  const changed = await changedAt(token.accountId);
  if (changed === undefined) return false;
  // Written so that a missing or garbled start (NaN) counts as before the change.
  return !(familyBeganAt(token) >= changed);
}
