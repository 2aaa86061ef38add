/**
 * `portcullis hash-password`: a password from stdin or the prompt → an argon2id PHC string made
 * with the configured ARGON2_* parameters (accounts/hashing.ts), for `password_hash` in bootstrap
 * files in production (which refuse plaintext) or `users add --password-hash-stdin`. Offline: it
 * needs no server and no token.
 */
import { createPasswordHasher } from '../accounts/hashing.ts';
import { parse } from './args.ts';
import { type Command, CommandError } from './run.ts';
import { readSecretFromStdin } from './secret-input.ts';

export const hashPassword: Command = {
  summary: 'read a password from stdin or the prompt, print its argon2id PHC string (ARGON2_* parameters; offline)',
  async run(args, io) {
    parse(args, {}, 'hash-password  (the password comes from stdin or the prompt, never from argv)');
    const password = await (io.readSecret ?? readSecretFromStdin)('password: ', { confirm: true });
    if (!password) throw new CommandError('empty password: nothing hashed');
    const hasher = await createPasswordHasher(io.config().argon2);
    io.out(await hasher.hash(password));
    return 0;
  },
};
