/**
 * Errors that carry a stable code, an HTTP status and whether their message may be shown.
 * Throw `new AppError(...)` or use `assertThat(condition, ...)`; the error middleware renders it.
 * Domain errors (platform/errors.ts) become AppErrors here, in the one table of their statuses.
 */
import { DomainError, type DomainErrorCode, type WaitDetail } from '../platform/errors.ts';

export class AppError extends Error {
  override name = 'AppError';
  readonly code: string;
  readonly status: number;
  readonly expose: boolean;
  readonly headers: Record<string, string>;
  /** Extra fields of the JSON answer (shown only when `expose`), e.g. a refused password's `violations`. */
  readonly detail: Record<string, unknown>;
  constructor(
    status: number,
    code: string,
    message: string,
    options: { expose?: boolean; headers?: Record<string, string>; detail?: Record<string, unknown> | undefined } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.expose = options.expose ?? status < 500;
    this.headers = options.headers ?? {};
    this.detail = options.detail ?? {};
  }
}

export function assertThat(condition: unknown, status: number, code: string, message: string): asserts condition {
  if (!condition) throw new AppError(status, code, message);
}

export const badRequest = (message: string, code = 'invalid_request') => new AppError(400, code, message);

const DOMAIN_STATUS: Record<DomainErrorCode, number> = {
  already_enrolled: 409,
  not_enrolled: 409,
  enrolment_expired: 400,
  session_limit_reached: 403,
  too_many_attempts: 429,
  account_locked: 423,
  user_not_found: 404,
  username_taken: 409,
  email_taken: 409,
  unknown_role: 400,
  password_required: 400,
  invite_unavailable: 400,
  link_invalid: 400,
  address_taken: 409,
  invite_needs_email: 400,
  invite_with_password: 400,
  password_policy: 400,
};

/**
 * A wait as HTTP: an honest `Retry-After` (whole seconds, rounded up) and the IETF draft rate-limit
 * fields in their widely deployed form (draft-ietf-httpapi-ratelimit-headers-06: RateLimit-Limit /
 * -Remaining / -Reset, Reset in seconds).
 */
export function rateLimitHeaders(wait: WaitDetail): Record<string, string> {
  return {
    'Retry-After': String(wait.retryAfter),
    'RateLimit-Limit': String(wait.limit),
    'RateLimit-Remaining': '0',
    'RateLimit-Reset': String(wait.retryAfter),
  };
}

/** The error as the HTTP layer sees it, or undefined for anything that is not ours. */
export function asAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (!(error instanceof DomainError)) return undefined;
  return new AppError(DOMAIN_STATUS[error.code], error.code, error.message, {
    headers: error.wait ? rateLimitHeaders(error.wait) : {},
    detail: error.detail,
  });
}
