/**
 * The bootstrap file's plaintext passwords meet the password policy when an entry creates a person
 * or gives them a password they do not have: a failed rule stops the start naming the user and the
 * codes; a breached one only warns. An entry applied before stops nothing, so an upgraded server
 * (or one whose rules were raised) still starts.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { applyBootstrap } from '../../src/bootstrap/apply.ts';
import { bootstrapSchema } from '../../src/bootstrap/schema.ts';
import type { PolicyViolation } from '../../src/passwords/types.ts';
import { captureLogger } from '../support/log-capture.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { tempDir } from '../support/tmp.ts';

const STRONG = 'tangerine lighthouse over bridges';

describe('bootstrap passwords and the password policy', () => {
  const servers: TestServer[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const server of servers) await server.close().catch(() => undefined);
    for (const cleanup of cleanups) await cleanup();
  });
  async function boot(dataDir: string, users: unknown[], env: Record<string, string> = {}) {
    const server = await startServer({ dataDir, bootstrap: { clients: [], users }, env });
    servers.push(server);
    return server;
  }
  async function dir() {
    const made = await tempDir();
    cleanups.push(made.cleanup);
    return made.path;
  }

  it('a short plaintext password for a new user stops the start, naming the user and the rules', async () => {
    await assert.rejects(
      boot(await dir(), [{ username: 'Sam', password: 'short pass' }]),
      /BOOTSTRAP_FILE: user sam: the password fails the password policy \(too_short, too_weak\)/,
    );
  });

  it('an entry applied before starts under stricter rules; a new password in it must pass them', async () => {
    const data = await dir();
    let server = await boot(data, [{ username: 'tess', name: 'Tess', password: STRONG }]);
    await server.close();
    servers.pop();
    // The same entry, with a minimum its password no longer meets: already applied, so it starts.
    server = await boot(data, [{ username: 'tess', name: 'Tess', password: STRONG }], { PASSWORD_MIN_LENGTH: '40' });
    await server.close();
    servers.pop();
    // Another field changed, the password is still hers: nothing to judge.
    server = await boot(data, [{ username: 'tess', name: 'Tess T.', password: STRONG }], { PASSWORD_MIN_LENGTH: '40' });
    assert.equal((await server.portcullis.accounts.findByUsername('tess'))?.name, 'Tess T.');
    await server.close();
    servers.pop();
    // A new password in the entry is judged.
    await assert.rejects(
      boot(data, [{ username: 'tess', name: 'Tess T.', password: 'another lighthouse over bridges' }], { PASSWORD_MIN_LENGTH: '40' }),
      /user tess: the password fails the password policy \(too_short\)/,
    );
  });

  it('a breached plaintext password is a start-up warning naming the user, not a refusal', async () => {
    const server = await boot(await dir(), []);
    const { logger, warnings } = captureLogger();
    const file = bootstrapSchema.parse({ clients: [], users: [{ username: 'uma', password: STRONG }] });
    const breached: PolicyViolation[] = [{ code: 'breached' }];
    await applyBootstrap(file, {
      store: server.portcullis.store,
      clients: undefined as never,
      provider: undefined as never,
      accounts: server.portcullis.accounts,
      resources: server.portcullis.resources,
      logger,
      production: false,
      passwordPolicy: { check: async () => breached },
    });
    assert.ok(await server.portcullis.accounts.findByUsername('uma'), 'created');
    assert.ok(
      warnings().some((line) => line.username === 'uma' && /appeared in a data breach/.test(line.msg)),
      JSON.stringify(warnings()),
    );
  });
});
