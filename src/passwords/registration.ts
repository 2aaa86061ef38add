/**
 * Registration (REGISTRATION=open): a sign-up is not an account until its address is proved.
 *
 * - `signUp` checks the caller's address budget (429 past LOCKOUT_SIGNUP_IP_REQUESTS) and the
 *   password policy, then answers "check your mail" whatever happens next; the rest runs in the
 *   background: a pending sign-up (the argon2 hash, never the password) is kept for 24 h under
 *   the digest of its link's token, and the link is mailed. Pending sign-ups reserve nothing and
 *   cannot sign in (account pre-hijacking: whoever proves the mailbox first gets the account).
 * - An address already taken gets a notice instead ("someone tried to sign up with your address");
 *   both mails count against the address's budget (LOCKOUT_SIGNUP_REQUESTS), past which nothing
 *   is sent and the answer is still the same.
 * - `verify` consumes the link once and creates the account with `emailVerified: true`; if the
 *   address was taken meanwhile it says so and creates nothing.
 */

import type { PasswordHasher } from '../accounts/hashing.ts';
import { normaliseUsername } from '../accounts/service.ts';
import { DomainError } from '../platform/errors.ts';
import { type AccountRepository, DuplicateError, type ModelStore } from '../storage/port.ts';
import { linkIdOf, newLinkToken } from './link-tokens.ts';
import { admit, findByEmail, linkInvalid, type PasswordAccounts, type SelfServiceDeps, track } from './self-service-deps.ts';
import type { PasswordPolicy } from './types.ts';

/** 24 h: long enough for a mail read the next morning, short enough that an abandoned sign-up goes. */
export const PENDING_SIGNUP_SECONDS = 24 * 60 * 60;

export interface RegistrationDeps extends SelfServiceDeps {
  /** store.model('PendingSignup'): records keyed by the link digest. */
  pending: ModelStore;
  accounts: PasswordAccounts;
  hasher: Pick<PasswordHasher, 'hash'>;
  policy: PasswordPolicy;
  /** People are also found by exact email: the address may be another person's email beside a different username. */
  repo: Pick<AccountRepository, 'search'>;
}

export interface SignUp {
  email: string;
  name: string;
  password: string;
}

export type PendingState = { ok: true; email: string } | { ok: false };

export interface Registration {
  signUp(input: SignUp, ip: string): Promise<void>;
  /** Whether a verification link still works, without using it (GET of the link's page). */
  inspect(token: string): Promise<PendingState>;
  /** Creates the account; throws `link_invalid` or `address_taken`. Resolves with the new account's id. */
  verify(token: string): Promise<string>;
  idle(): Promise<void>;
}

const addressTaken = () => new DomainError('address_taken', 'An account with this address exists already. Sign in, or reset its password.');

export function createRegistration(deps: RegistrationDeps): Registration {
  const background = track(deps.logger, 'sign-up failed');

  async function taken(email: string) {
    return (await deps.accounts.findByUsername(email)) ?? (await findByEmail(deps.repo, email));
  }

  async function work(input: SignUp): Promise<void> {
    const email = normaliseUsername(input.email);
    const budget = { username: email };
    if (!(await deps.limiter.check('signup.email', budget)).allowed) return;
    await deps.limiter.fail('signup.email', budget);
    const owner = await taken(email);
    if (owner) {
      // To the owner's own address only: a username that merely looks like the typed address may not be theirs to read.
      if (owner.email) {
        await deps.outbox.enqueue({ to: owner.email, template: 'signup-taken', data: { name: owner.name ?? owner.username }, accountId: owner.id });
      }
      deps.audit.emit({ type: 'account.signup_refused', accountId: owner.id, detail: { reason: 'address_taken' } });
      return;
    }
    const { token, id } = newLinkToken();
    const expiresAt = deps.now() + PENDING_SIGNUP_SECONDS * 1000;
    // NFKC as the policy's hashing does (idempotent if the hasher normalises too).
    const passwordHash = await deps.hasher.hash(input.password.normalize('NFKC'));
    await deps.pending.upsert(id, { email, name: input.name, passwordHash, expiresAt }, PENDING_SIGNUP_SECONDS);
    await deps.outbox.enqueue({
      to: email,
      template: 'signup-verify',
      data: { name: input.name, hours: PENDING_SIGNUP_SECONDS / 3600 },
      link: `${deps.issuer}/email/verify/${token}`,
      expiresAt: new Date(expiresAt),
    });
  }

  async function live(token: string) {
    const id = linkIdOf(token);
    if (!id) return undefined;
    const payload = await deps.pending.find(id);
    if (!payload || payload.consumed !== undefined) return undefined;
    if (typeof payload.expiresAt !== 'number' || payload.expiresAt <= deps.now()) return undefined;
    const { email, name, passwordHash } = payload;
    if (typeof email !== 'string' || typeof passwordHash !== 'string') return undefined;
    return { id, email, name: typeof name === 'string' ? name : undefined, passwordHash };
  }

  return {
    async signUp(input, ip) {
      await admit(deps.limiter, 'signup.ip', { ip });
      const email = normaliseUsername(input.email);
      // Refusing the password says nothing about the address: answered before any lookup.
      await deps.policy.assert(input.password, { username: email, email, name: input.name });
      background.start(() => work(input));
    },
    async inspect(token) {
      const found = await live(token);
      return found ? { ok: true, email: found.email } : { ok: false };
    },
    async verify(token) {
      const found = await live(token);
      if (!found || !(await deps.pending.consume(found.id))) throw linkInvalid();
      await deps.pending.destroy(found.id);
      if (await taken(found.email)) throw addressTaken();
      try {
        const account = await deps.accounts.create({
          username: found.email,
          email: found.email,
          emailVerified: true,
          name: found.name,
          passwordHash: found.passwordHash,
        });
        deps.audit.emit({ type: 'account.registered', accountId: account.id });
        return account.id;
      } catch (error) {
        if (error instanceof DuplicateError) throw addressTaken();
        throw error;
      }
    },
    idle: background.idle,
  };
}
