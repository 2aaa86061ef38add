/**
 * How brute-force defence sees password attempts: the login form and the account console's
 * current-password check. `check` runs before the password is verified and throws (a
 * too_many_attempts or account_locked domain error) while an attempt is not allowed.
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
