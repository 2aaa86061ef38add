/** Finding 7, bootstrap side: password_hash values whose argon2 parameters differ from ARGON2_*. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import argon2 from 'argon2';
import { captureLogger } from '../support/log-capture.ts';
import { startServer } from '../support/server.ts';

// The test server runs with ARGON2_MEMORY_KIB=8192, ARGON2_TIME_COST=1, ARGON2_PARALLELISM=1.
const hash = (memoryCost: number, timeCost: number) =>
  argon2.hash('dora password long enough', { type: argon2.argon2id, memoryCost, timeCost, parallelism: 1 });

describe('bootstrap password hashes with other argon2 parameters', () => {
  it('refuses a bootstrap hash costlier than configured, naming the user', async () => {
    const users = [{ username: 'dora', password_hash: await hash(16384, 2) }];
    const started = startServer({ bootstrap: { users } });
    started.then(
      (server) => server.close(),
      () => undefined,
    );
    await assert.rejects(started, /user dora: password_hash \(m=16384,t=2,p=1\) costs more than ARGON2_\*/);
  });

  it('warns at start-up naming a user whose bootstrap hash is cheaper, and re-hashes it at the next sign-in', async () => {
    const capture = captureLogger();
    const cheap = await hash(4096, 1);
    const server = await startServer({ bootstrap: { users: [{ username: 'dora', password_hash: cheap }] }, options: { logger: capture.logger } });
    try {
      const warning = capture.warnings().find((line) => line.username === 'dora');
      assert.ok(warning, 'a warning names dora');
      assert.equal(warning.hash_parameters, 'm=4096,t=1,p=1');
      assert.equal((await server.portcullis.accounts.authenticate('dora', 'dora password long enough')).ok, true);
      const rehashed = (await server.portcullis.accounts.findByUsername('dora'))?.passwordHash ?? '';
      assert.match(rehashed, /\$m=8192,p=1,t=1\$/);
    } finally {
      await server.close();
    }
  });
});
