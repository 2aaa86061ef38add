import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createPasswordHasher, type PasswordHasher } from '../../src/accounts/hashing.ts';
import { loadConfig } from '../../src/config/index.ts';
import { describeViolations } from '../../src/passwords/describe.ts';
import { createPasswordPolicy } from '../../src/passwords/policy.ts';
import { PasswordPolicyError } from '../../src/passwords/policy-error.ts';
import type { BreachCheck, BreachVerdict, PasswordOwner } from '../../src/passwords/types.ts';

const STRONG = 'correct horse battery staple';
const off: BreachCheck = { enabled: false, lookup: async () => 'clean' };
const fixed = (verdict: BreachVerdict): BreachCheck & { seen: string[] } => {
  const seen: string[] = [];
  return {
    enabled: true,
    seen,
    async lookup(password) {
      seen.push(password);
      return verdict;
    },
  };
};

function settings(env: Record<string, string> = {}) {
  return loadConfig({ NODE_ENV: 'test', ISSUER: 'http://127.0.0.1:1', PASSWORD_BREACH_CHECK: 'off', ...env }).passwords;
}

const frank: PasswordOwner = { username: 'frank', email: 'frank.jones@example.com', name: 'Frank Jones' };
const codes = (violations: { code: string }[]) => violations.map((v) => v.code);

describe('password policy', () => {
  let hasher: PasswordHasher;
  before(async () => {
    hasher = await createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });
  });
  const policy = (env: Record<string, string> = {}, breach: BreachCheck = off) => createPasswordPolicy(settings(env), { breach, hasher });

  it('accepts a long multi-word phrase with the default rules (15 characters, strength 3, no composition rules)', async () => {
    assert.deepEqual(await policy().check(STRONG, frank), []);
    assert.deepEqual(policy().rules, { minLength: 15, maxLength: 128, require: [], minStrength: 3, history: 5 });
  });

  it('refuses a short password with too_short and its minimum', async () => {
    assert.deepEqual(await policy({ PASSWORD_MIN_STRENGTH: '0' }).check('short pass', frank), [{ code: 'too_short', min: 15 }]);
  });

  it('refuses a password over the maximum with too_long, and never scores or looks it up', async () => {
    const breach = fixed('breached');
    const long = 'x'.repeat(65);
    assert.deepEqual(await policy({ PASSWORD_MAX_LENGTH: '64' }, breach).check(long, frank), [{ code: 'too_long', max: 64 }]);
    assert.deepEqual(breach.seen, []);
  });

  it('counts length in code points after NFKC: 15 emoji pass, 14 do not; combining characters count each', async () => {
    const p = policy({ PASSWORD_MIN_STRENGTH: '0' });
    assert.deepEqual(await p.check('🦊'.repeat(15), frank), []);
    assert.deepEqual(await p.check('🦊'.repeat(14), frank), [{ code: 'too_short', min: 15 }]);
    // 'e' + U+0301 (two code points typed) is 'é' after NFKC: one character.
    assert.deepEqual(await p.check('e\u0301'.repeat(15), frank), []);
    assert.deepEqual(await p.check('e\u0301'.repeat(14), frank), [{ code: 'too_short', min: 15 }]);
    // A base with two combining marks that do not compose stays three code points.
    assert.deepEqual(await p.check('q\u0301\u0323'.repeat(5), frank), []);
  });

  it('measures the NFKC form: a ligature counts as its letters, fullwidth letters as ASCII ones', async () => {
    const p = policy({ PASSWORD_MIN_STRENGTH: '0', PASSWORD_MIN_LENGTH: '8' });
    // 'ﬃ' is one code point typed, three after NFKC: two make 6, three make 9.
    assert.deepEqual(await p.check('ﬃﬃ', frank), [{ code: 'too_short', min: 8 }]);
    assert.deepEqual(await p.check('ﬃﬃﬃ', frank), []);
    // Fullwidth 'ｆｒａｎｋｉｅ' contains the username.
    assert.deepEqual(codes(await p.check('ｆｒａｎｋｉｅ!!', frank)), ['like_username']);
  });

  it('asks for each PASSWORD_REQUIRE class that is missing, Unicode-aware', async () => {
    const all = policy({ PASSWORD_REQUIRE: 'upper,lower,digit,symbol', PASSWORD_MIN_STRENGTH: '0' });
    assert.deepEqual(codes(await all.check('correcthorsebatterystaple', frank)), ['missing_upper', 'missing_digit', 'missing_symbol']);
    assert.deepEqual(codes(await all.check('ÉCOLE NUMÉRO ٣ CHÈRE', frank)), ['missing_lower']);
    assert.deepEqual(await all.check('Écolé numéro ٣ chère', frank), []);
    const some = policy({ PASSWORD_REQUIRE: 'digit', PASSWORD_MIN_STRENGTH: '0' });
    assert.deepEqual(codes(await some.check('correct horse battery staple', frank)), ['missing_digit']);
  });

  it('refuses a guessable password with too_weak, its score and the floor', async () => {
    const [violation] = await policy().check('password1234567', frank);
    assert.equal(violation?.code, 'too_weak');
    assert.ok(violation?.code === 'too_weak' && violation.score < 3 && violation.min === 3);
    assert.deepEqual(await policy({ PASSWORD_MIN_STRENGTH: '0' }).check('password1234567', frank), []);
  });

  it("scores with the person's own words: their name is easy to guess for them, not for a stranger", async () => {
    const p = policy({ PASSWORD_MIN_LENGTH: '8' });
    assert.deepEqual(await p.check('zakarianquimby', { username: 'someone' }), []);
    assert.deepEqual(await p.check('zakarianquimby', { username: 'someone', name: 'Zakarian Quimby' }), [{ code: 'too_weak', score: 1, min: 3 }]);
  });

  it('refuses the username and email, equal after NFKC and case folding, or contained when 4 characters or more', async () => {
    const p = policy({ PASSWORD_MIN_STRENGTH: '0', PASSWORD_MIN_LENGTH: '8' });
    const long = { username: 'frederick.the.great', email: 'Frederick.The.Great@Example.com' };
    assert.deepEqual(codes(await p.check('FREDERICK.THE.GREAT', long)), ['like_username', 'like_email']);
    assert.deepEqual(codes(await p.check('frederick.the.great@example.com', long)), ['like_username', 'like_email']);
    assert.deepEqual(codes(await p.check('my name is frank ok', frank)), ['like_username']);
    assert.deepEqual(codes(await p.check('i am frank.jones here', { username: 'fj', email: 'frank.jones@example.com' })), ['like_email']);
    // Three letters inside a word are no resemblance; the whole name is.
    assert.deepEqual(await p.check('bob is not in a bobsleigh', { username: 'bob' }), []);
    assert.deepEqual(codes(await p.check('BOB', { username: 'bob' })), ['too_short', 'like_username']);
  });

  it('refuses the current password and the last ones (history 5: the current and 4 before it), and accepts the one before those', async () => {
    const passwords = [
      'first horse battery staple',
      'second horse battery staple',
      'third horse battery staple',
      'fourth horse battery staple',
      'fifth horse battery staple',
      'sixth horse battery staple',
    ];
    const hashes = await Promise.all(passwords.map((p) => hasher.hash(p)));
    // Newest first: the sixth is current.
    const owner: PasswordOwner = { ...frank, passwordHash: hashes[5], passwordHistory: hashes.slice(0, 5).reverse() };
    const p = policy();
    for (const reused of passwords.slice(1)) assert.deepEqual(await p.check(reused, owner), [{ code: 'reused', history: 5 }], reused);
    assert.deepEqual(await p.check(passwords[0] as string, owner), [], 'the 6th most recent is no longer remembered');
    assert.deepEqual(await policy({ PASSWORD_HISTORY: '0' }).check(passwords[5] as string, owner), [], 'history 0 keeps nothing');
  });

  it('refuses a breached password when the check is on, and only then', async () => {
    const breach = fixed('breached');
    assert.deepEqual(await policy({}, breach).check(STRONG, frank), [{ code: 'breached' }]);
    assert.deepEqual(breach.seen, [STRONG]);
    assert.deepEqual(await policy({}, { enabled: false, lookup: async () => 'breached' }).check(STRONG, frank), []);
    assert.deepEqual(await policy({}, fixed('clean')).check(STRONG, frank), []);
  });

  it('an unavailable breach API refuses with breach_check_unavailable when failing closed, and accepts when failing open', async () => {
    assert.deepEqual(await policy({ PASSWORD_BREACH_FAILURE: 'closed' }, fixed('unavailable')).check(STRONG, frank), [{ code: 'breach_check_unavailable' }]);
    assert.deepEqual(await policy({ PASSWORD_BREACH_FAILURE: 'open' }, fixed('unavailable')).check(STRONG, frank), []);
    const throwing: BreachCheck = { enabled: true, lookup: async () => Promise.reject(new Error('boom')) };
    assert.deepEqual(await policy({ PASSWORD_BREACH_FAILURE: 'closed' }, throwing).check(STRONG, frank), [{ code: 'breach_check_unavailable' }]);
  });

  it('the breach lookup sees the NFKC form', async () => {
    const breach = fixed('clean');
    await policy({}, breach).check('ﬁne horse battery staple', frank);
    assert.deepEqual(breach.seen, ['fine horse battery staple']);
  });

  it('names every failing rule at once', async () => {
    const hash = await hasher.hash('frank');
    const violations = await policy({ PASSWORD_REQUIRE: 'upper,digit,symbol' }, fixed('breached')).check('frank', {
      ...frank,
      email: 'frank@example.com',
      passwordHash: hash,
    });
    assert.deepEqual(codes(violations), [
      'too_short',
      'missing_upper',
      'missing_digit',
      'missing_symbol',
      'like_username',
      'like_email',
      'too_weak',
      'reused',
      'breached',
    ]);
    assert.equal(describeViolations(violations).length, violations.length);
  });

  it('assert throws a PasswordPolicyError carrying the violations, and resolves for an acceptable password', async () => {
    await policy().assert(STRONG, frank);
    await assert.rejects(policy().assert('short', frank), (error: unknown) => {
      assert.ok(error instanceof PasswordPolicyError);
      assert.equal(error.code, 'password_policy');
      assert.deepEqual(error.detail, { violations: error.violations });
      assert.deepEqual(codes(error.violations), ['too_short', 'too_weak']);
      assert.match(error.message, /at least 15 characters/);
      return true;
    });
  });
});
