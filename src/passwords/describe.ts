/**
 * Policy violations in plain words: one sentence each, the same on every page and in the JSON
 * `error_description`, so a person reads the same reason wherever they set a password.
 */
import type { PasswordPolicy, PolicyViolation } from './types.ts';

const SCORE_WORDS = ['very easy to guess', 'easy to guess', 'somewhat easy to guess', 'hard to guess', 'very hard to guess'];

export function describeViolation(violation: PolicyViolation): string {
  switch (violation.code) {
    case 'too_short':
      return `Use at least ${violation.min} characters.`;
    case 'too_long':
      return `Use at most ${violation.max} characters.`;
    case 'too_weak':
      return `This password is ${SCORE_WORDS[violation.score] ?? 'easy to guess'}: add more words, or less common ones.`;
    case 'missing_upper':
      return 'Include an upper-case letter.';
    case 'missing_lower':
      return 'Include a lower-case letter.';
    case 'missing_digit':
      return 'Include a digit.';
    case 'missing_symbol':
      return 'Include a character that is neither a letter nor a digit.';
    case 'like_username':
      return 'Do not use your username in your password.';
    case 'like_email':
      return 'Do not use your email address in your password.';
    case 'reused':
      return violation.history === 1
        ? 'Choose a password different from your current one.'
        : `Choose a password different from your last ${violation.history}.`;
    case 'breached':
      return 'This password appeared in a data breach; choose another one.';
    case 'breach_check_unavailable':
      return 'We could not check this password against known breaches just now; try again in a moment.';
  }
}

export function describeViolations(violations: readonly PolicyViolation[]): string[] {
  return violations.map(describeViolation);
}

const CLASS_WORDS: Record<string, string> = {
  upper: 'an upper-case letter',
  lower: 'a lower-case letter',
  digit: 'a digit',
  symbol: 'a character that is neither a letter nor a digit',
};

/** The rules a page states before anything is typed (PasswordPolicy `rules`). */
export function describeRules(rules: PasswordPolicy['rules']): string {
  const parts = [`Use ${rules.minLength} to ${rules.maxLength} characters; a few unrelated words make a strong password that is easy to remember.`];
  if (rules.require.length) parts.push(`Include ${rules.require.map((name) => CLASS_WORDS[name] ?? name).join(', ')}.`);
  if (rules.history > 1) parts.push(`It may not be one of your last ${rules.history} passwords.`);
  return parts.join(' ');
}
