/**
 * Password rules, after NIST SP 800-63B: length matters, composition rules do not.
 * At least 12 characters, at most 256 (argon2 would take more, but nobody types that), not
 * made of the username, not one character repeated.
 */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export type PasswordProblem = 'too_short' | 'too_long' | 'contains_username' | 'repetitive';

export function checkPassword(password: string, username: string): PasswordProblem | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return 'too_short';
  if (length > PASSWORD_MAX_LENGTH) return 'too_long';
  if (username.length >= 3 && password.toLowerCase().includes(username.toLowerCase())) return 'contains_username';
  if (new Set(password).size <= 2) return 'repetitive';
  return undefined;
}
