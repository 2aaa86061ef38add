/**
 * Errors that carry a stable code, an HTTP status and whether their message may be shown.
 * Throw `new AppError(...)` or use `assertThat(condition, ...)`; the error middleware renders it.
 */
export class AppError extends Error {
  override name = 'AppError';
  readonly code: string;
  readonly status: number;
  readonly expose: boolean;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, options: { expose?: boolean; headers?: Record<string, string> } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.expose = options.expose ?? status < 500;
    this.headers = options.headers ?? {};
  }
}

export function assertThat(condition: unknown, status: number, code: string, message: string): asserts condition {
  if (!condition) throw new AppError(status, code, message);
}

export const badRequest = (message: string, code = 'invalid_request') => new AppError(400, code, message);
