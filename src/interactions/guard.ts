/**
 * The hook through which brute-force defence sees login attempts. `check` runs before the
 * password is verified and throws (429 with Retry-After) while an attempt is not allowed.
 */
export interface LoginAttempt {
  username: string;
  ip: string;
  accountId?: string | undefined;
}

export interface LoginGuard {
  check(attempt: LoginAttempt): Promise<void>;
  failed(attempt: LoginAttempt): Promise<void>;
  succeeded(attempt: LoginAttempt): Promise<void>;
}

export const openGuard: LoginGuard = {
  async check() {},
  async failed() {},
  async succeeded() {},
};
