/**
 * A person's passkeys: registering (from /account, or at sign-in enrolment), listing, renaming,
 * removing, and the assertions that sign someone in. Every refusal is audited as
 * `passkey.refused` with its code and at most an 8-character prefix of the credential id (never
 * a public key); successes as `passkey.registered`, `passkey.sign_in`, `passkey.removed`.
 *
 * Failed assertions are counted where they cannot hurt the owner: after the password step per
 * person (the MFA limiter every second factor shares); for a password-less attempt per client
 * address only, because the credential id in an answer is the attacker's to choose and must not
 * let them throttle its owner.
 */
import type { AuditBus } from '../../audit/bus.ts';
import type { MfaAttemptLimiter } from '../attempts.ts';
import { authenticationOptions, type CeremonyDeps, type Registrant, registrationOptions, verifyAssertion, verifyRegistration } from './ceremony.ts';
import type { PasskeyRepository } from './credentials.ts';
import { type AuthenticationAnswer, authenticationResponse, type RegistrationAnswer, readAnswer, registrationResponse } from './responses.ts';
import { type CeremonySurface, type PasskeyProof, type PasskeyRecord, PasskeyRefusal } from './types.ts';

/** Enough for a phone, a laptop, two security keys and spares; bounds what one account can store. */
export const MAX_PASSKEYS = 20;
export const NAME_MAX = 64;

/** Password-less failures per client address (lockout/passkey-guard.ts: the `login.ip` budget). */
export interface AddressAttemptLimiter {
  check(ip: string): Promise<void>;
  failed(ip: string): Promise<void>;
}

export interface PasskeyContext {
  clientId?: string | undefined;
  /** An administrator's factor reset (or an erasure): audited, and mail/ tells the person by the reset's own notice. */
  by?: 'admin' | undefined;
}

/** Who is asserting: a person after their password (`accountId`), or anyone from an address (password-less). */
export type AssertionScope = { kind: 'second_factor'; accountId: string } | { kind: 'passwordless'; ip: string };

export interface PasskeyService {
  list(accountId: string): Promise<PasskeyRecord[]>;
  has(accountId: string): Promise<boolean>;
  registrationOptions(account: Registrant, surface: CeremonySurface): Promise<unknown>;
  /** Verifies and stores a new passkey under `name` (trimmed; a default when empty). */
  register(accountId: string, surface: CeremonySurface, answer: unknown, name: string, context?: PasskeyContext): Promise<PasskeyRecord>;
  authenticationOptions(surface: CeremonySurface, accountId?: string): Promise<unknown>;
  authenticate(surface: CeremonySurface, answer: unknown, scope: AssertionScope, context?: PasskeyContext): Promise<PasskeyProof>;
  rename(accountId: string, id: string, name: string): Promise<boolean>;
  remove(accountId: string, id: string, context?: PasskeyContext): Promise<boolean>;
}

export interface PasskeyServiceDeps extends CeremonyDeps {
  repo: PasskeyRepository;
  audit: AuditBus;
  personLimiter: MfaAttemptLimiter;
  addressLimiter: AddressAttemptLimiter;
  /** A synced passkey whose counter went backwards: logged, not refused. */
  warn: (message: string, detail: Record<string, unknown>) => void;
  now?: () => number;
}

const prefix = (id: string | undefined) => (id ? id.slice(0, 8) : undefined);

const answerId = (answer: unknown): string | undefined => {
  const id = (answer as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
};

export function createPasskeyService(deps: PasskeyServiceDeps): PasskeyService {
  const { repo, audit } = deps;
  const now = deps.now ?? Date.now;

  function refused(
    error: unknown,
    accountId: string | undefined,
    credential: string | undefined,
    context: PasskeyContext | undefined,
    ceremony: string,
  ): never {
    const code = error instanceof PasskeyRefusal ? error.code : 'invalid_response';
    audit.emit({ type: 'passkey.refused', accountId, clientId: context?.clientId, detail: { reason: code, ceremony, credential: prefix(credential) } });
    throw error instanceof PasskeyRefusal ? error : new PasskeyRefusal('invalid_response');
  }

  async function assert(surface: CeremonySurface, raw: unknown, scope: AssertionScope, context: PasskeyContext | undefined): Promise<PasskeyProof> {
    const expectedAccount = scope.kind === 'second_factor' ? scope.accountId : undefined;
    try {
      const answer: AuthenticationAnswer = readAnswer(authenticationResponse, raw);
      const verified = await verifyAssertion(
        deps,
        answer,
        { surface, accountId: expectedAccount, requireUserVerification: scope.kind === 'passwordless' },
        (id) => repo.find(id),
      );
      const { record } = verified;
      if (verified.countRegressed) {
        deps.warn('synced passkey sign count went backwards (accepted: synced passkeys share one key between devices)', {
          accountId: record.accountId,
          credential: prefix(record.id),
        });
      }
      await repo.update({ ...record, signCount: verified.newCounter, backupState: verified.backupState, lastUsedAt: now() });
      audit.emit({
        type: 'passkey.sign_in',
        accountId: record.accountId,
        clientId: context?.clientId,
        detail: { credential: prefix(record.id), mode: scope.kind, userVerified: verified.userVerified },
      });
      return {
        accountId: record.accountId,
        credentialId: record.id,
        userPresent: verified.userPresent,
        userVerified: verified.userVerified,
        backupEligible: record.backupEligible,
        attested: record.attested,
      };
    } catch (error) {
      const code = error instanceof PasskeyRefusal ? error.code : undefined;
      // The account a refused answer is about: known after the password; otherwise only once the credential was found.
      const about = expectedAccount ?? (code === 'sign_count_regressed' ? (await repo.find(answerId(raw) ?? ''))?.accountId : undefined);
      return refused(error, about, answerId(raw), context, 'authenticate');
    }
  }

  return {
    list: (accountId) => repo.listByAccount(accountId),
    async has(accountId) {
      return (await repo.listByAccount(accountId)).length > 0;
    },

    async registrationOptions(account, surface) {
      const existing = await repo.listByAccount(account.id);
      if (existing.length >= MAX_PASSKEYS) throw new PasskeyRefusal('too_many_passkeys');
      return registrationOptions(deps, account, existing, surface);
    },

    async register(accountId, surface, raw, name, context) {
      try {
        const answer: RegistrationAnswer = readAnswer(registrationResponse, raw);
        const existing = await repo.listByAccount(accountId);
        if (existing.length >= MAX_PASSKEYS) throw new PasskeyRefusal('too_many_passkeys');
        const verified = await verifyRegistration(deps, answer, { accountId, surface });
        // A credential id is the authenticator's: one already stored (this account's or another's) is not taken over.
        if (await repo.find(verified.id)) throw new PasskeyRefusal('credential_exists');
        const { userVerified: _uv, ...fields } = verified;
        const record: PasskeyRecord = { ...fields, accountId, name: name.trim().slice(0, NAME_MAX) || `Passkey ${existing.length + 1}`, createdAt: now() };
        await repo.insert(record);
        audit.emit({
          type: 'passkey.registered',
          accountId,
          clientId: context?.clientId,
          detail: { method: 'passkey', credential: prefix(record.id), backupEligible: record.backupEligible },
        });
        return record;
      } catch (error) {
        return refused(error, accountId, answerId(raw), context, 'register');
      }
    },

    async authenticationOptions(surface, accountId) {
      const allow = accountId ? await repo.listByAccount(accountId) : undefined;
      if (allow?.length === 0) throw new PasskeyRefusal('credential_unknown');
      return authenticationOptions(deps, surface, allow, accountId);
    },

    async authenticate(surface, raw, scope, context) {
      if (scope.kind === 'passwordless') {
        await deps.addressLimiter.check(scope.ip);
        try {
          return await assert(surface, raw, scope, context);
        } catch (error) {
          await deps.addressLimiter.failed(scope.ip);
          throw error;
        }
      }
      const person = scope.accountId;
      try {
        await deps.personLimiter.check(person);
      } catch (error) {
        audit.emit({ type: 'mfa.throttled', accountId: person });
        throw error;
      }
      let ok = false;
      try {
        const proof = await assert(surface, raw, scope, context);
        ok = true;
        return proof;
      } finally {
        await (ok ? deps.personLimiter.succeeded(person) : deps.personLimiter.failed(person));
      }
    },

    async rename(accountId, id, name) {
      const record = await repo.find(id);
      const trimmed = name.trim().slice(0, NAME_MAX);
      if (!record || record.accountId !== accountId || !trimmed) return false;
      await repo.update({ ...record, name: trimmed });
      return true;
    },

    async remove(accountId, id, context) {
      const record = await repo.find(id);
      if (!record || record.accountId !== accountId) return false;
      await repo.remove(id);
      audit.emit({
        type: 'passkey.removed',
        accountId,
        clientId: context?.clientId,
        detail: { method: 'passkey', credential: prefix(id), name: record.name, ...(context?.by ? { by: context.by } : {}) },
      });
      return true;
    },
  };
}
