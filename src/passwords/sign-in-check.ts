/**
 * The breach check at sign-in, in two halves, because the person holding a breached password may
 * be the attacker:
 * - `judge`, at the password step (the only moment the plaintext exists): looks the password up
 *   when the person's last lookup is more than a day old (or never happened), and answers a
 *   verdict to keep in the interaction — never the password or its hash. A person already marked
 *   compromised is breached without a lookup. At sign-in the lookup always fails open: an
 *   unavailable API gives no verdict (and nothing is recorded, so the next sign-in asks again).
 * - `settle`, once every factor of the sign-in is verified: records when the lookup was made (at
 *   most one a day per person), marks the account compromised on a breached verdict (audit
 *   `password.compromised`) and says whether the caller must act. Nothing is written to the account
 *   before that, so a password without its second factor changes nothing.
 */
import type { AuditBus } from '../audit/bus.ts';
import type { AccountRecord, AccountRepository } from '../storage/port.ts';
import type { BreachCheck } from './types.ts';

/** At most one lookup per person per day at sign-in. */
export const SIGN_IN_RECHECK_MS = 24 * 3600 * 1000;

/** What the interaction keeps between the password step and the last factor. */
export interface SignInVerdict {
  breached: boolean;
  /** When a lookup answered (epoch ms); absent when the verdict is the account's mark. */
  checkedAt?: number | undefined;
  /** passwordChangedAt (epoch ms) of the password judged: a verdict about a replaced password is void. */
  passwordChangedAt: number;
}

export interface SignInBreachCheck {
  /** Undefined: nothing to act on or record (check off, looked up within a day, API unavailable). */
  judge(account: AccountRecord, password: string): Promise<SignInVerdict | undefined>;
  /** After every factor: true when the password is compromised and must be replaced. */
  settle(accountId: string, verdict: SignInVerdict | undefined): Promise<{ compromised: boolean }>;
}

export interface SignInCheckDeps {
  breach: BreachCheck;
  accounts: Pick<AccountRepository, 'findById' | 'update'>;
  audit: Pick<AuditBus, 'emit'>;
  now: () => number;
}

export function createSignInBreachCheck(deps: SignInCheckDeps): SignInBreachCheck {
  return {
    async judge(account, password) {
      const passwordChangedAt = account.passwordChangedAt.getTime();
      if (account.passwordCompromisedAt) return { breached: true, passwordChangedAt };
      if (!deps.breach.enabled) return undefined;
      const last = account.passwordCheckedAt?.getTime();
      const now = deps.now();
      if (last !== undefined && now - last < SIGN_IN_RECHECK_MS) return undefined;
      const verdict = await deps.breach.lookup(password);
      if (verdict === 'unavailable') return undefined;
      return { breached: verdict === 'breached', checkedAt: now, passwordChangedAt };
    },

    async settle(accountId, verdict) {
      if (!verdict) return { compromised: false };
      const account = await deps.accounts.findById(accountId);
      if (!account || account.passwordChangedAt.getTime() !== verdict.passwordChangedAt) return { compromised: false };
      const patch: Partial<AccountRecord> = {};
      if (verdict.checkedAt !== undefined) patch.passwordCheckedAt = new Date(verdict.checkedAt);
      const newlyCompromised = verdict.breached && !account.passwordCompromisedAt;
      if (newlyCompromised) {
        patch.passwordCompromisedAt = new Date(deps.now());
        patch.updatedAt = new Date(deps.now());
      }
      if (Object.keys(patch).length > 0) await deps.accounts.update(accountId, patch);
      // Identifiers only: no password, no hash, no prefix.
      if (newlyCompromised) deps.audit.emit({ type: 'password.compromised', accountId });
      return { compromised: verdict.breached };
    },
  };
}
