/**
 * `portcullis hash-password`: a password from stdin or the prompt → an argon2id PHC string made
 * with the configured ARGON2_* parameters (accounts/hashing.ts), for `password_hash` in bootstrap
 * files in production (which refuse plaintext) or `users add --password-hash-stdin`. Offline: it
 * needs no server and no token.
 *
 * The password must pass the rules that need no person and no network (passwords/policy.ts:
 * length, PASSWORD_REQUIRE, strength): otherwise every rule it fails is printed, nothing is hashed,
 * exit 1. Likeness to the username and email, reuse and the breach check are the server's to judge
 * when the hash is used (a bootstrap `password_hash` or `--password-hash-stdin` is taken as given).
 */
import { createPasswordHasher } from '../accounts/hashing.ts';
import { describeViolation } from '../passwords/describe.ts';
import { createPasswordPolicy } from '../passwords/policy.ts';
import { parse } from './args.ts';
import { type Command, CommandError, EXIT } from './run.ts';
import { readSecretFromStdin } from './secret-input.ts';

export const hashPassword: Command = {
  summary: 'read a password from stdin or the prompt, print its argon2id PHC string (ARGON2_* parameters; offline)',
  async run(args, io) {
    parse(args, {}, 'hash-password  (the password comes from stdin or the prompt, never from argv)');
    const password = await (io.readSecret ?? readSecretFromStdin)('password: ', { confirm: true });
    if (!password) throw new CommandError('empty password: nothing hashed');
    // Offline: no breach lookup, no history (there is no person yet).
    const policy = createPasswordPolicy(io.config().passwords, {
      breach: { enabled: false, lookup: async () => 'clean' },
      hasher: { verify: async () => ({ ok: false }) },
    });
    const violations = await policy.check(password, { username: '' });
    if (violations.length) {
      const lines = violations.map((violation) => `  ${violation.code}: ${describeViolation(violation)}`);
      throw new CommandError(`the password fails the password policy; nothing hashed:\n${lines.join('\n')}`, EXIT.failed);
    }
    const hasher = await createPasswordHasher(io.config().argon2);
    io.out(await hasher.hash(password));
    return 0;
  },
};
