/**
 * Errors a domain raises when a request cannot be served as asked. Each carries one code from a
 * closed list and no HTTP status: security/errors.ts is the one place codes become statuses.
 */
export const DOMAIN_ERROR_CODES = [
  'already_enrolled',
  'not_enrolled',
  'enrolment_expired',
  'session_limit_reached',
  'too_many_attempts',
  'account_locked',
  'user_not_found',
  'username_taken',
  'email_taken',
  'unknown_role',
  'password_required',
  'invite_unavailable',
  'link_invalid',
  'address_taken',
  'invite_needs_email',
  'invite_with_password',
  'password_policy',
] as const;

export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

/** What a throttling refusal tells the caller: the wait (whole seconds) and the budget that refused. */
export interface WaitDetail {
  retryAfter: number;
  limit: number;
}

export class DomainError extends Error {
  override name = 'DomainError';
  readonly code: DomainErrorCode;
  readonly wait: WaitDetail | undefined;
  /** Facts for the caller beyond the message (a refused password's `violations`): JSON answers carry them as fields. */
  readonly detail: Record<string, unknown> | undefined;
  /** `message` is written for the person: it is shown as it is. */
  constructor(code: DomainErrorCode, message: string, wait?: WaitDetail, detail?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.wait = wait;
    this.detail = detail;
  }
}
