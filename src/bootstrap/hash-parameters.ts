/**
 * Bootstrap `password_hash` values made with other argon2 parameters than ARGON2_* (finding 7).
 * Which direction leaks decides what we do:
 *  - cheaper (m and t no higher): the hasher pads every check of such an account with the
 *    unknown-username decoy, so it answers no sooner than an unknown name. Accepted, with a
 *    warning naming the user, until the next successful sign-in re-hashes it with ARGON2_*.
 *  - costlier (m or t higher): that account answers later than any unknown name, and padding it
 *    away would make every unknown name pay the higher cost. Refused: start-up fails naming the user.
 */

import { compareCost, type HashParameters, hashParameters } from '../accounts/hashing.ts';
import type { Logger } from '../platform/logger.ts';

const describe = (p: HashParameters) => `m=${p.memoryCost},t=${p.timeCost},p=${p.parallelism}`;

/** Throws for a costlier hash; returns true for a cheaper one, warning on `logger` when given. */
export function checkBootstrapHash(username: string, hash: string, configured: HashParameters, logger: Logger | undefined): boolean {
  const stored = hashParameters(hash);
  if (!stored) throw new Error(`BOOTSTRAP_FILE: user ${username}: password_hash parameters cannot be read`);
  const cost = compareCost(stored, configured);
  if (cost === 'costlier') {
    throw new Error(
      `BOOTSTRAP_FILE: user ${username}: password_hash (${describe(stored)}) costs more than ARGON2_* (${describe(configured)}), ` +
        'so its sign-ins would be told apart from unknown usernames by timing; hash it with the configured parameters',
    );
  }
  if (cost === 'cheaper') {
    logger?.warn(
      { username, hash_parameters: describe(stored), configured: describe(configured) },
      'bootstrap: password_hash is cheaper than ARGON2_*; checks are padded to the configured cost and it is re-hashed at the next successful sign-in',
    );
    return true;
  }
  return false;
}
