/**
 * What a person may change about themselves at once, without proving anything new: their name
 * (the `name` claim). The rules for a name and an address live here, beside the writes, so a
 * page, JSON, or a later API all refuse the same things with the same codes.
 */
import type { AuditBus } from '../audit/bus.ts';
import { DomainError } from '../platform/errors.ts';
import type { AccountRepository } from '../storage/port.ts';

/** 128 characters: room for any real name, too little to smuggle a paragraph into tokens and mail. */
export const NAME_MAX_LENGTH = 128;
/** RFC 5321's limits: 254 characters in all, 64 before the @. */
export const EMAIL_MAX_LENGTH = 254;

/**
 * Control characters (C0, DEL, C1), line and paragraph separators, and the bidirectional
 * overrides and isolates: the last can make a name read differently in a mail or an admin list
 * than it is stored ("Trojan Source", CVE-2021-42574).
 */
const FORBIDDEN_IN_NAME = /[\p{Cc}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
/** One @, something before and after it, a dot in the domain, no spaces or controls anywhere. */
const EMAIL_SHAPE = /^[^\s@\p{Cc}]{1,64}@[^\s@\p{Cc}]+\.[^\s@\p{Cc}.][^\s@\p{Cc}]*$/u;

export type ProfileProblem = 'invalid_name' | 'invalid_email' | 'same_email';

export const PROBLEM_TEXT: Record<ProfileProblem, string> = {
  invalid_name: `Use a name of 1 to ${NAME_MAX_LENGTH} characters, without control characters.`,
  invalid_email: 'That does not look like an email address.',
  same_email: 'That is already the address of your account.',
};

const problem = (code: ProfileProblem) => new ProfileInputError(code);

export class ProfileInputError extends Error {
  readonly code: ProfileProblem;
  constructor(code: ProfileProblem) {
    super(PROBLEM_TEXT[code]);
    this.code = code;
  }
}

/** The name as it is stored: trimmed; throws invalid_name. */
export function cleanName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0 || [...name].length > NAME_MAX_LENGTH || FORBIDDEN_IN_NAME.test(name)) throw problem('invalid_name');
  return name;
}

/** The address as it is stored: trimmed and lower-cased (as accounts keep it); throws invalid_email or same_email. */
export function cleanEmail(raw: string, current: string | undefined): string {
  const email = raw.trim().toLowerCase();
  if (email.length > EMAIL_MAX_LENGTH || !EMAIL_SHAPE.test(email)) throw problem('invalid_email');
  if (email === current) throw problem('same_email');
  return email;
}

export function createProfile(deps: { repo: Pick<AccountRepository, 'update'>; audit: AuditBus; now: () => number }) {
  return {
    async setName(accountId: string, name: string): Promise<void> {
      const updated = await deps.repo.update(accountId, { name, updatedAt: new Date(deps.now()) });
      if (!updated) throw new DomainError('user_not_found', 'no such account');
      deps.audit.emit({ type: 'account.profile_updated', accountId, detail: { fields: ['name'] } });
    },
  };
}

export type Profile = ReturnType<typeof createProfile>;
