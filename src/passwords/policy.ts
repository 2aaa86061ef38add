/**
 * The password policy (NIST SP 800-63B rev 4 §3.1.1.2), one module for every place a password is
 * set. The candidate is NFKC-normalised first (as it is before hashing, accounts/hashing.ts), so
 * 'ﬁ' and 'fi', or fullwidth and ASCII letters, are the same password; lengths are counted in
 * code points of that form, never truncated.
 *
 * Every rule is checked and every failure named (a person fixes them all at once). The costly
 * checks — strength, reuse (one argon2 verification per remembered hash) and the breach lookup (a
 * network call) — are skipped for a candidate longer than PASSWORD_MAX_LENGTH: it is refused
 * anyway, and nothing beyond the maximum is ever fed to zxcvbn, argon2 or the breach API.
 *
 * Like the username or email: equal to either (or to the email's local part) after NFKC and case
 * folding, or containing one of them when it has at least 4 characters ("alice2026!" for alice);
 * shorter names are too common inside words to refuse them.
 */
import type { Config } from '../config/index.ts';
import { PasswordPolicyError } from './policy-error.ts';
import { personalWords, strengthScore } from './strength.ts';
import type { BreachCheck, PasswordOwner, PasswordPolicy, PolicyViolation } from './types.ts';

/** The one call of accounts' hasher the policy needs (structural: passwords/ does not import accounts/). */
export interface PasswordVerifier {
  verify(hash: string, password: string): Promise<{ ok: boolean }>;
}

export interface PolicyDeps {
  breach: BreachCheck;
  hasher: PasswordVerifier;
}

const CLASSES = {
  upper: /\p{Lu}/u,
  lower: /\p{Ll}/u,
  digit: /\p{Nd}/u,
  // Neither a letter, a combining mark of one, nor a digit: punctuation, symbols, spaces, emoji.
  symbol: /[^\p{L}\p{M}\p{Nd}]/u,
} as const;

/** Shorter names than this are only refused when the whole password equals them. */
const CONTAINED_NAME_MIN = 4;

const fold = (value: string) => value.normalize('NFKC').toLowerCase();

function resembles(candidate: string, name: string | undefined): boolean {
  if (!name) return false;
  const folded = fold(name);
  return candidate === folded || (folded.length >= CONTAINED_NAME_MIN && candidate.includes(folded));
}

/** The hashes a new password must not match: the current one and the remembered ones, `history` in all. */
export function rememberedHashes(owner: PasswordOwner, history: number): string[] {
  if (history <= 0 || !owner.passwordHash) return [];
  return [owner.passwordHash, ...(owner.passwordHistory ?? [])].slice(0, history);
}

export function createPasswordPolicy(settings: Config['passwords'], deps: PolicyDeps): PasswordPolicy {
  const rules = {
    minLength: settings.minLength,
    maxLength: settings.maxLength,
    require: [...settings.require],
    minStrength: settings.minStrength,
    history: settings.history,
  };

  async function reused(candidate: string, owner: PasswordOwner): Promise<boolean> {
    const hashes = rememberedHashes(owner, rules.history);
    const results = await Promise.all(hashes.map((hash) => deps.hasher.verify(hash, candidate).catch(() => ({ ok: false }))));
    return results.some((result) => result.ok);
  }

  async function breachViolation(candidate: string): Promise<PolicyViolation | undefined> {
    if (!deps.breach.enabled) return undefined;
    const verdict = await deps.breach.lookup(candidate).catch(() => 'unavailable' as const);
    if (verdict === 'breached') return { code: 'breached' };
    // Failing open is breach.ts's to log and count; here it only means "accept".
    if (verdict === 'unavailable' && settings.breach.failure === 'closed') return { code: 'breach_check_unavailable' };
    return undefined;
  }

  async function check(raw: string, owner: PasswordOwner): Promise<PolicyViolation[]> {
    const candidate = String(raw).normalize('NFKC');
    const length = [...candidate].length;
    const violations: PolicyViolation[] = [];
    if (length < rules.minLength) violations.push({ code: 'too_short', min: rules.minLength });
    if (length > rules.maxLength) violations.push({ code: 'too_long', max: rules.maxLength });
    for (const name of rules.require) {
      if (!CLASSES[name as keyof typeof CLASSES]?.test(candidate)) violations.push({ code: `missing_${name}` } as PolicyViolation);
    }
    const folded = fold(candidate);
    if (resembles(folded, owner.username)) violations.push({ code: 'like_username' });
    const local = owner.email?.split('@')[0];
    if (resembles(folded, owner.email) || resembles(folded, local)) violations.push({ code: 'like_email' });
    if (length > rules.maxLength) return violations;

    const [score, wasReused, breached] = await Promise.all([
      rules.minStrength > 0 ? strengthScore(candidate, personalWords(owner)) : undefined,
      reused(candidate, owner),
      breachViolation(candidate),
    ]);
    if (score !== undefined && score < rules.minStrength) violations.push({ code: 'too_weak', score, min: rules.minStrength });
    if (wasReused) violations.push({ code: 'reused', history: rules.history });
    if (breached) violations.push(breached);
    return violations;
  }

  return {
    rules,
    check,
    async assert(candidate, owner) {
      const violations = await check(candidate, owner);
      if (violations.length) throw new PasswordPolicyError(violations);
    },
  };
}
