/**
 * Second factors of a person: TOTP enrolment and verification, backup codes, removal. Every code
 * check goes through the attempt limiter, and every accepted code is consumed by one conditional
 * write in the store (advanceTotpStep / useBackupCode), so of two requests carrying the same code
 * exactly one succeeds. TOTP secrets are sealed at rest (keys/sealing.ts).
 *
 * An unconfirmed secret belongs to the surface that asked for it — one sign-in interaction or
 * one issuer session — not to the account: it is shown again only to that surface, and only that
 * surface can confirm it. Anyone else who reaches an enrolment step for the same account (say,
 * someone who has only the password) gets a secret of their own, which dies unconfirmed when the
 * owner confirms theirs. Audit finding 2.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { AuditBus } from '../audit/bus.ts';
import type { Sealer } from '../keys/sealing.ts';
import { DomainError } from '../platform/errors.ts';
import type { MfaFactorRecord, MfaRepository } from '../storage/port.ts';
import type { MfaAttemptLimiter } from './attempts.ts';
import { BACKUP_CODES_LOW, generateBackupCodes, hashBackupCode, normaliseBackupCode } from './backup-codes.ts';
import type { Clock, Totp } from './totp.ts';

/** An enrolment left unconfirmed this long starts over with a new secret. */
const PENDING_TTL_MS = 60 * 60 * 1000;
/** Unconfirmed secrets kept per account (one per surface); older ones are dropped beyond this. */
const MAX_PENDING = 5;

/** Where an enrolment runs: a sign-in interaction (its uid) or the account pages (the session's uid). */
export interface EnrolmentSurface {
  kind: 'interaction' | 'session';
  id: string;
}

/** Stored as a digest: the record need not hold the interaction's or session's identifier. */
const bindingOf = (surface: EnrolmentSurface) => createHash('sha256').update(`${surface.kind}\u0000${surface.id}`).digest('base64url');

export type MfaMethod = 'totp' | 'backup_code';

export interface MfaStatus {
  enrolled: boolean;
  backupCodesRemaining: number;
  /** Few enough backup codes left that the person should make new ones. */
  backupCodesLow: boolean;
}

export interface Enrolment {
  secret: string;
  uri: string;
}

export type CodeResult = { ok: true; method: MfaMethod; backupCodesRemaining: number } | { ok: false };
export type EnrolmentResult = { ok: true; backupCodes: string[] } | { ok: false };

/** Who asked, for the audit trail. */
export interface MfaContext {
  clientId?: string | undefined;
  /** Who made the change, when not the person (an admin's factor reset): audited, and mail/ tells the person once. */
  by?: 'admin' | undefined;
}

export interface MfaService {
  status(accountId: string): Promise<MfaStatus>;
  isEnrolled(accountId: string): Promise<boolean>;
  /**
   * Starts (or, on the same surface, resumes) setting up TOTP; refuses when an authenticator is
   * already set up. Another surface never sees this secret.
   */
  beginEnrolment(accountId: string, label: string, surface: EnrolmentSurface): Promise<Enrolment>;
  /**
   * Confirms the secret this surface was shown with a first code; on success the backup codes to
   * show, once, and every other unconfirmed secret of the account is discarded.
   */
  completeEnrolment(accountId: string, code: string, surface: EnrolmentSurface, context?: MfaContext): Promise<EnrolmentResult>;
  /** A TOTP code or a backup code. */
  verify(accountId: string, code: string, context?: MfaContext): Promise<CodeResult>;
  regenerateBackupCodes(accountId: string, context?: MfaContext): Promise<string[]>;
  remove(accountId: string, context?: MfaContext): Promise<void>;
}

export interface MfaServiceDeps {
  repo: MfaRepository;
  sealer: Sealer;
  totp: Totp;
  limiter: MfaAttemptLimiter;
  audit: AuditBus;
  /** The name authenticator apps show (MFA_TOTP_ISSUER). */
  issuer: string;
  now?: Clock;
}

interface Factors {
  totp?: MfaFactorRecord | undefined;
  /** Unconfirmed TOTP secrets, oldest first. */
  pending: MfaFactorRecord[];
  backup: MfaFactorRecord[];
}

export function createMfaService(deps: MfaServiceDeps): MfaService {
  const { repo, sealer, totp, limiter, audit } = deps;
  const now = deps.now ?? Date.now;

  async function factorsOf(accountId: string): Promise<Factors> {
    const all = await repo.listByAccount(accountId);
    return {
      totp: all.find((factor) => factor.type === 'totp' && factor.confirmedAt),
      pending: all.filter((factor) => factor.type === 'totp' && !factor.confirmedAt),
      backup: all.filter((factor) => factor.type === 'backup_codes'),
    };
  }

  const fresh = (factor: MfaFactorRecord) => now() - factor.createdAt.getTime() < PENDING_TTL_MS;
  /** The live unconfirmed secret of this surface, if any (records without a binding belong to no one). */
  const pendingOf = (pending: MfaFactorRecord[], surface: EnrolmentSurface) => {
    const binding = bindingOf(surface);
    return pending.find((factor) => factor.boundTo === binding && factor.sealedSecret && fresh(factor));
  };

  const remaining = (backup: MfaFactorRecord[]) => backup.reduce((sum, factor) => sum + (factor.codeHashes?.length ?? 0), 0);

  /** Runs one code check under the limiter; an unexpected error counts as a wrong code. */
  async function throttled<T extends { ok: boolean }>(accountId: string, attempt: () => Promise<T>): Promise<T> {
    try {
      await limiter.check(accountId);
    } catch (error) {
      audit.emit({ type: 'mfa.throttled', accountId });
      throw error;
    }
    let settled = false;
    try {
      const result = await attempt();
      settled = true;
      await (result.ok ? limiter.succeeded(accountId) : limiter.failed(accountId));
      return result;
    } finally {
      if (!settled) await limiter.failed(accountId);
    }
  }

  function failed(accountId: string, reason: string, context: MfaContext | undefined): { ok: false } {
    audit.emit({ type: 'mfa.failed', accountId, clientId: context?.clientId, detail: { reason } });
    return { ok: false };
  }

  /** The step the code belongs to, consumed; undefined when wrong or already used. */
  async function consumeTotp(factor: MfaFactorRecord, code: string): Promise<'ok' | 'wrong_code' | 'replayed'> {
    const step = await totp.match(sealer.open(factor.sealedSecret ?? ''), code);
    if (step === undefined) return 'wrong_code';
    return (await repo.advanceTotpStep(factor.id, step)) ? 'ok' : 'replayed';
  }

  async function replaceBackupCodes(accountId: string, backup: MfaFactorRecord[]): Promise<string[]> {
    const codes = generateBackupCodes();
    const [kept, ...extra] = backup;
    const id = kept?.id ?? randomUUID();
    const codeHashes = codes.map((code) => hashBackupCode(id, normaliseBackupCode(code) as string));
    // One write replaces the whole set, so every old code stops working at the same moment.
    if (kept) await repo.update(id, { codeHashes });
    else await repo.insert({ id, accountId, type: 'backup_codes', codeHashes, createdAt: new Date(now()) });
    for (const factor of extra) await repo.remove(factor.id);
    return codes;
  }

  return {
    async status(accountId) {
      const factors = await factorsOf(accountId);
      const count = remaining(factors.backup);
      const enrolled = factors.totp !== undefined;
      return { enrolled, backupCodesRemaining: count, backupCodesLow: enrolled && count <= BACKUP_CODES_LOW };
    },

    async isEnrolled(accountId) {
      return (await factorsOf(accountId)).totp !== undefined;
    },

    async beginEnrolment(accountId, label, surface) {
      const { totp: existing, pending } = await factorsOf(accountId);
      if (existing) throw new DomainError('already_enrolled', 'an authenticator app is already set up; remove it first to set up another');
      const mine = pendingOf(pending, surface);
      if (mine?.sealedSecret) {
        // Reloading the page must not invalidate a QR code the person has just scanned.
        const secret = sealer.open(mine.sealedSecret);
        return { secret, uri: totp.uri(deps.issuer, label, secret) };
      }
      // Expired or unbound (written before secrets were bound) attempts go; so do the oldest past MAX_PENDING.
      const live = pending.filter((factor) => factor.boundTo && fresh(factor));
      const dropped = [...pending.filter((factor) => !live.includes(factor)), ...live.slice(0, Math.max(0, live.length - (MAX_PENDING - 1)))];
      for (const factor of dropped) await repo.remove(factor.id);
      const secret = totp.newSecret();
      await repo.insert({
        id: randomUUID(),
        accountId,
        type: 'totp',
        sealedSecret: sealer.seal(secret),
        boundTo: bindingOf(surface),
        createdAt: new Date(now()),
      });
      return { secret, uri: totp.uri(deps.issuer, label, secret) };
    },

    async completeEnrolment(accountId, code, surface, context) {
      const factors = await factorsOf(accountId);
      if (factors.totp) throw new DomainError('already_enrolled', 'an authenticator app is already set up');
      const pending = pendingOf(factors.pending, surface);
      if (!pending) throw new DomainError('enrolment_expired', 'this set-up has expired; start again');
      return throttled(accountId, async () => {
        const outcome = await consumeTotp(pending, code.trim());
        if (outcome !== 'ok') return failed(accountId, outcome, context);
        await repo.update(pending.id, { confirmedAt: new Date(now()) });
        // Secrets shown to other surfaces (perhaps to someone holding only the password) die here.
        for (const other of factors.pending) if (other.id !== pending.id) await repo.remove(other.id);
        const backupCodes = await replaceBackupCodes(accountId, factors.backup);
        audit.emit({ type: 'mfa.enrolled', accountId, clientId: context?.clientId, detail: { method: 'totp' } });
        return { ok: true as const, backupCodes };
      });
    },

    async verify(accountId, code, context) {
      return throttled(accountId, async (): Promise<CodeResult> => {
        const factors = await factorsOf(accountId);
        if (!factors.totp) return failed(accountId, 'not_enrolled', context);
        const digits = code.replace(/\s/g, '');
        if (/^\d{6}$/.test(digits)) {
          const outcome = await consumeTotp(factors.totp, digits);
          if (outcome !== 'ok') return failed(accountId, outcome, context);
          audit.emit({ type: 'mfa.verified', accountId, clientId: context?.clientId, detail: { method: 'totp' } });
          return { ok: true, method: 'totp', backupCodesRemaining: remaining(factors.backup) };
        }
        const normalised = normaliseBackupCode(code);
        if (normalised) {
          for (const factor of factors.backup) {
            if (!(await repo.useBackupCode(factor.id, hashBackupCode(factor.id, normalised)))) continue;
            const left = remaining((await factorsOf(accountId)).backup);
            audit.emit({ type: 'mfa.backup_code_used', accountId, clientId: context?.clientId, detail: { remaining: left } });
            audit.emit({ type: 'mfa.verified', accountId, clientId: context?.clientId, detail: { method: 'backup_code' } });
            return { ok: true, method: 'backup_code', backupCodesRemaining: left };
          }
        }
        return failed(accountId, 'wrong_code', context);
      });
    },

    async regenerateBackupCodes(accountId, context) {
      const factors = await factorsOf(accountId);
      if (!factors.totp) throw new DomainError('not_enrolled', 'set up an authenticator app first');
      const codes = await replaceBackupCodes(accountId, factors.backup);
      audit.emit({ type: 'mfa.backup_codes_regenerated', accountId, clientId: context?.clientId });
      return codes;
    },

    async remove(accountId, context) {
      const all = await repo.listByAccount(accountId);
      for (const factor of all) await repo.remove(factor.id);
      audit.emit({
        type: 'mfa.removed',
        accountId,
        clientId: context?.clientId,
        detail: { factors: all.map((factor) => factor.type), ...(context?.by ? { by: context.by } : {}) },
      });
    },
  };
}
