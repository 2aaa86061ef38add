/**
 * Reset by email: "forgot your password?" sends a single-use link to the person's verified
 * address; the link's page sets a new password through the policy.
 *
 * - The answer to a request never depends on whether the person exists: `request` only counts the
 *   caller's address (which may refuse with 429, the same for everyone), then starts the lookup
 *   and the mail in the background and resolves. `idle()` lets tests wait for that work.
 * - Links carry 256 random bits, stored only as a digest (link-tokens.ts), live PASSWORD_RESET_TTL
 *   judged against the injected clock, and are consumed by the store's one-winner write. A new
 *   link voids the person's older ones.
 * - The policy is asked BEFORE the token is consumed, so a refused password leaves the link
 *   working; the store never un-consumes (a consumed mark is never cleared, storage/port.ts), so
 *   consume-and-restore was not an option. Two requests with the same token that both pass the
 *   policy race on `consume`: exactly one sets its password.
 * - After a reset every session, grant and refresh token of the person ends (back-channel logout),
 *   the username's lockout counters are cleared, and the person is told by mail. A reset never
 *   touches second factors (nor their throttle: the mailbox is not the second factor) and never
 *   signs anyone in.
 */
import type { AccountRecord, AccountRepository, ModelStore } from '../storage/port.ts';
import { linkIdOf, newLinkToken } from './link-tokens.ts';
import { ownerOf } from './owner.ts';
import { admit, findByEmail, linkInvalid, type PasswordAccounts, type SelfServiceDeps, track } from './self-service-deps.ts';
import type { PasswordPolicy, ResetReason, SendResetLink } from './types.ts';

export interface PasswordResetDeps extends SelfServiceDeps {
  /** store.model('PasswordReset'): records keyed by the link digest. */
  links: ModelStore;
  accounts: PasswordAccounts;
  repo: Pick<AccountRepository, 'search' | 'update'>;
  policy: PasswordPolicy;
  /** PASSWORD_RESET_TTL, seconds. */
  ttl: number;
  /** Ends every session and grant of the person (back-channel logout); resolves with how many sessions ended. */
  endEverything(accountId: string): Promise<number>;
  /** Clears the lockout counters and hard lock of a username (lockout/limiter.ts unlock). */
  unlockUsername(username: string): Promise<void>;
}

export type ResetLinkState = { ok: true; username: string } | { ok: false };

export interface PasswordReset {
  /** Counts the caller's address (429 past LOCKOUT_RESET_IP_REQUESTS), then works in the background. */
  request(identifier: string, ip: string): Promise<void>;
  sendLink: SendResetLink;
  /** Whether a link still works, without using it (GET of the link's page). */
  inspect(token: string): Promise<ResetLinkState>;
  /** Sets the new password; throws `link_invalid`, or the policy's refusal (the link then still works). */
  complete(token: string, newPassword: string): Promise<void>;
  /** Resolves when every background request started so far has finished. */
  idle(): Promise<void>;
}

const TEMPLATES: Record<ResetReason, string> = {
  requested: 'password-reset',
  compromised: 'password-reset-compromised',
  invite: 'password-invite',
};

/** Disabled and soft-deleted people get no link, and a link of theirs stops working. */
const usable = (account: AccountRecord | undefined): account is AccountRecord => account !== undefined && account.status === 'active' && !account.deletedAt;

export function createPasswordReset(deps: PasswordResetDeps): PasswordReset {
  const background = track(deps.logger, 'password reset request failed');

  async function findPerson(identifier: string): Promise<AccountRecord | undefined> {
    const byName = await deps.accounts.findByUsername(identifier);
    if (byName) return byName;
    return identifier.includes('@') ? findByEmail(deps.repo, identifier) : undefined;
  }

  /**
   * Links the person did not ask for on this page (a breached password at sign-in) share the
   * person's budget with the requested ones: whoever holds the password cannot mail-bomb them.
   */
  async function withinBudget(account: AccountRecord, reason: 'requested' | 'compromised'): Promise<boolean> {
    const person = { person: account.id };
    // Never 429 per person (that would say the person exists): past the budget, silence.
    if (!(await deps.limiter.check('password_reset.person', person)).allowed) {
      deps.audit.emit({ type: 'password.reset_requested', accountId: account.id, outcome: 'failure', detail: { reason, outcome: 'throttled' } });
      return false;
    }
    await deps.limiter.fail('password_reset.person', person);
    return true;
  }

  const sendLink: SendResetLink = async (account, reason) => {
    if (reason === 'compromised' && !(await withinBudget(account, reason))) return;
    // An invitation goes to the address the administrator gave: using it proves the mailbox.
    if (!account.email || (reason !== 'invite' && account.emailVerified !== true)) {
      deps.audit.emit({ type: 'password.reset_requested', accountId: account.id, outcome: 'failure', detail: { reason, outcome: 'no_verified_email' } });
      return;
    }
    for (const older of await deps.links.findByAccountId(account.id)) await deps.links.destroy(older.id);
    const { token, id } = newLinkToken();
    const expiresAt = new Date(deps.now() + deps.ttl * 1000);
    await deps.links.upsert(id, { accountId: account.id, email: account.email, reason, expiresAt: expiresAt.getTime() }, deps.ttl);
    await deps.outbox.enqueue({
      to: account.email,
      template: TEMPLATES[reason],
      data: { name: account.name ?? account.username, username: account.username, minutes: Math.round(deps.ttl / 60) },
      link: `${deps.issuer}/password/reset/${token}`,
      expiresAt,
      accountId: account.id,
    });
    deps.audit.emit({ type: 'password.reset_requested', accountId: account.id, detail: { reason, outcome: 'sent' } });
  };

  async function work(identifier: string): Promise<void> {
    const account = await findPerson(identifier);
    if (!usable(account)) return;
    if (await withinBudget(account, 'requested')) await sendLink(account, 'requested');
  }

  /** The live record behind a token and its person, or undefined. */
  async function live(token: string) {
    const id = linkIdOf(token);
    if (!id) return undefined;
    const payload = await deps.links.find(id);
    if (!payload || payload.consumed !== undefined || typeof payload.accountId !== 'string') return undefined;
    if (typeof payload.expiresAt !== 'number' || payload.expiresAt <= deps.now()) return undefined;
    const account = await deps.accounts.findById(payload.accountId);
    // A link works only while it is addressed to the person's current address: changing the email voids it.
    if (!usable(account) || payload.email !== account.email) return undefined;
    return { id, account };
  }

  return {
    async request(identifier, ip) {
      await admit(deps.limiter, 'password_reset.ip', { ip });
      background.start(() => work(identifier));
    },
    sendLink,
    async inspect(token) {
      const found = await live(token);
      return found ? { ok: true, username: found.account.username } : { ok: false };
    },
    async complete(token, newPassword) {
      const found = await live(token);
      if (!found) throw linkInvalid();
      const { account } = found;
      await deps.policy.assert(newPassword, ownerOf(account));
      if (!(await deps.links.consume(found.id))) throw linkInvalid();
      await deps.accounts.setPassword(account.id, newPassword);
      // The link went to this address and was used: the address is the person's.
      if (account.emailVerified !== true) {
        await deps.repo.update(account.id, { emailVerified: true, updatedAt: new Date(deps.now()) });
      }
      for (const other of await deps.links.findByAccountId(account.id)) if (other.id !== found.id) await deps.links.destroy(other.id);
      const sessionsEnded = await deps.endEverything(account.id);
      await deps.unlockUsername(account.username);
      deps.audit.emit({ type: 'password.reset', accountId: account.id, detail: { sessionsEnded } });
      if (account.email) {
        await deps.outbox.enqueue({
          to: account.email,
          template: 'password-was-reset',
          data: { name: account.name ?? account.username, username: account.username },
          accountId: account.id,
        });
      }
    },
    idle: background.idle,
  };
}
