/**
 * A person changes their own email address: the new address must be proven before it is used.
 *
 * - `request` mails a single-use link to the NEW address (256 random bits, stored only as a
 *   digest: passwords/link-tokens.ts) and tells the OLD address that a change was asked for,
 *   naming the new one, with nothing to click. A newer request voids the person's older links.
 *   Requests count in `email_change.person` (LOCKOUT_RESET_REQUESTS per LOCKOUT_RESET_WINDOW).
 * - The account keeps its address and `email_verified` until the link is used, so ID tokens and
 *   userinfo keep saying what is true; reset links keep going to the proven address.
 * - `confirm` consumes the link with the store's one-winner write, then sets the address and
 *   `emailVerified: true` in one update. An address that another account took meanwhile is
 *   `address_taken` (409) and changes nothing; a link whose account changed its address in the
 *   meantime (an administrator, another link) no longer works. The old address is told.
 * - Links live EMAIL_CHANGE_SECONDS (24 hours) by the injected clock. Longer than a reset link
 *   (PASSWORD_RESET_TTL, 30 minutes): the link grants no sign-in and no password, only proves a
 *   mailbox for a change a signed-in, recently authenticated person asked for, and people often
 *   read a new mailbox later.
 */
import type { AuditBus } from '../audit/bus.ts';
import type { Limiter } from '../lockout/limiter.ts';
import type { Outbox } from '../mail/outbox.ts';
import { DomainError } from '../platform/errors.ts';
import { type AccountRecord, type AccountRepository, DuplicateError, type ModelStore } from '../storage/port.ts';
import { linkIdOf, newLinkToken } from './link-tokens.ts';
import { admit } from './self-service-deps.ts';

/** 24 hours. */
export const EMAIL_CHANGE_SECONDS = 24 * 60 * 60;

export interface EmailChangeDeps {
  /** store.model('EmailChange'): records keyed by the link digest, indexed by accountId. */
  links: ModelStore;
  repo: Pick<AccountRepository, 'findById' | 'update'>;
  outbox: Outbox;
  /** mail.notify: the notices to the old address. */
  notify: (account: AccountRecord, kind: 'email_change_requested' | 'email_changed', extra: { to: string; data?: Record<string, unknown> }) => Promise<void>;
  audit: AuditBus;
  /** Epoch ms: link lifetimes are judged by it (tests move it). */
  now: () => number;
  issuer: string;
  /** `email_change.person`: a signed-in person may not mail any address they like without end (429 past the budget). */
  limiter: Limiter;
}

export type EmailChangeState = { ok: true; email: string; username: string } | { ok: false };

export interface EmailChange {
  request(account: AccountRecord, newEmail: string): Promise<void>;
  /** The address the person asked for and has not confirmed yet, if any. */
  pending(accountId: string): Promise<string | undefined>;
  /** Whether a link still works, without using it (the GET of its page). */
  inspect(token: string): Promise<EmailChangeState>;
  /** Uses the link; throws `link_invalid` or `address_taken`. Resolves with the new address. */
  confirm(token: string): Promise<string>;
}

export const emailLinkInvalid = () =>
  new DomainError('link_invalid', 'This link has expired, has already been used, or a newer one was sent. Ask for a new one on your profile page.');
const addressTaken = () => new DomainError('address_taken', 'Another account uses this address now. Nothing was changed.');

const usable = (account: AccountRecord | undefined): account is AccountRecord => account !== undefined && account.status === 'active' && !account.deletedAt;

export function createEmailChange(deps: EmailChangeDeps): EmailChange {
  /** The live record behind a token, and its person, or undefined. */
  async function live(token: string) {
    const id = linkIdOf(token);
    if (!id) return undefined;
    const payload = await deps.links.find(id);
    if (!payload || payload.consumed !== undefined || typeof payload.accountId !== 'string' || typeof payload.email !== 'string') return undefined;
    if (typeof payload.expiresAt !== 'number' || payload.expiresAt <= deps.now()) return undefined;
    const account = await deps.repo.findById(payload.accountId);
    // The change was asked for from this address; if it changed since, the request is stale.
    if (!usable(account) || (payload.from ?? null) !== (account.email ?? null)) return undefined;
    return { id, account, email: payload.email };
  }

  async function voidAll(accountId: string, except?: string): Promise<void> {
    for (const older of await deps.links.findByAccountId(accountId)) if (older.id !== except) await deps.links.destroy(older.id);
  }

  return {
    async request(account, newEmail) {
      await admit(deps.limiter, 'email_change.person', { person: account.id });
      await voidAll(account.id);
      const { token, id } = newLinkToken();
      const expiresAt = new Date(deps.now() + EMAIL_CHANGE_SECONDS * 1000);
      await deps.links.upsert(
        id,
        { accountId: account.id, email: newEmail, from: account.email ?? null, expiresAt: expiresAt.getTime() },
        EMAIL_CHANGE_SECONDS,
      );
      await deps.outbox.enqueue({
        to: newEmail,
        template: 'email-change-verify',
        data: { name: account.name ?? account.username, username: account.username, hours: EMAIL_CHANGE_SECONDS / 3600 },
        link: `${deps.issuer}/account/email/confirm/${token}`,
        expiresAt,
        accountId: account.id,
      });
      if (account.email) await deps.notify(account, 'email_change_requested', { to: account.email, data: { newEmail } });
      deps.audit.emit({ type: 'account.email_change_requested', accountId: account.id, detail: { domain: newEmail.split('@').at(-1) } });
    },
    async pending(accountId) {
      for (const { payload } of await deps.links.findByAccountId(accountId)) {
        if (payload.consumed === undefined && typeof payload.email === 'string' && typeof payload.expiresAt === 'number' && payload.expiresAt > deps.now()) {
          return payload.email;
        }
      }
      return undefined;
    },
    async inspect(token) {
      const found = await live(token);
      return found ? { ok: true, email: found.email, username: found.account.username } : { ok: false };
    },
    async confirm(token) {
      const found = await live(token);
      if (!found || !(await deps.links.consume(found.id))) throw emailLinkInvalid();
      const { account, email } = found;
      let updated: AccountRecord | undefined;
      try {
        updated = await deps.repo.update(account.id, { email, emailVerified: true, updatedAt: new Date(deps.now()) });
      } catch (error) {
        if (error instanceof DuplicateError) {
          deps.audit.emit({ type: 'account.email_change_refused', accountId: account.id, detail: { reason: 'address_taken' } });
          throw addressTaken();
        }
        throw error;
      }
      if (!updated) throw emailLinkInvalid();
      await voidAll(account.id, found.id);
      deps.audit.emit({ type: 'account.email_changed', accountId: account.id, detail: { by: 'self', domain: email.split('@').at(-1) } });
      if (account.email) await deps.notify(account, 'email_changed', { to: account.email });
      return email;
    },
  };
}
