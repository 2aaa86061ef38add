/** The bootstrap file is applied idempotently and never overwrites what an operator changed since. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startServer, type TestServer } from '../support/server.ts';
import { tempDir } from '../support/tmp.ts';

const client = (name: string) => ({
  client_id: 'app',
  client_secret: 'app-secret-long-enough-for-tests',
  client_name: name,
  redirect_uris: ['http://127.0.0.1:9999/callback'],
});
const user = (name: string, roles: string[]) => ({ username: 'Frank', name, roles, password: 'tangerine lighthouse over bridges' });

describe('bootstrap file', () => {
  const servers: TestServer[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const server of servers) await server.close().catch(() => undefined);
    for (const cleanup of cleanups) await cleanup();
  });

  async function boot(dataDir: string, bootstrap: unknown) {
    const server = await startServer({ dataDir, bootstrap });
    servers.push(server);
    return server;
  }

  it('creates, leaves unchanged entries alone, updates changed ones, and respects operator changes', async () => {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    let server = await boot(dir.path, { clients: [client('First')], users: [user('Frank', ['user'])] });
    const clients = server.portcullis.store.model('Client');
    assert.equal((await clients.find('app'))?.client_name, 'First');
    const frank = await server.portcullis.accounts.findByUsername('frank');
    assert.equal(frank?.name, 'Frank');
    const hashBefore = frank?.passwordHash;
    await server.close();

    // Same file again: nothing changes (the password is not re-hashed).
    server = await boot(dir.path, { clients: [client('First')], users: [user('Frank', ['user'])] });
    assert.equal((await server.portcullis.accounts.findByUsername('frank'))?.passwordHash, hashBefore);
    await server.close();

    // The file changed and nobody touched the records: the change is applied.
    server = await boot(dir.path, { clients: [client('Second')], users: [user('Frank F.', ['user', 'admin'])] });
    assert.equal((await server.portcullis.store.model('Client').find('app'))?.client_name, 'Second');
    assert.deepEqual((await server.portcullis.accounts.findByUsername('frank'))?.roles, ['user', 'admin']);

    // An operator changes the records in the store.
    const stored = await server.portcullis.store.model('Client').find('app');
    await server.portcullis.store.model('Client').upsert('app', { ...stored, client_name: 'Operator' });
    const account = await server.portcullis.accounts.findByUsername('frank');
    await server.portcullis.store.accounts.update(account?.id as string, { roles: ['user'] });
    await server.close();

    // The file changes again: the operator's edits win.
    server = await boot(dir.path, { clients: [client('Third')], users: [user('Frank the Third', ['auditor'])] });
    assert.equal((await server.portcullis.store.model('Client').find('app'))?.client_name, 'Operator');
    assert.deepEqual((await server.portcullis.accounts.findByUsername('frank'))?.roles, ['user']);
  });

  it('refuses invalid client metadata and malformed users with a message naming them', async () => {
    await assert.rejects(startServer({ bootstrap: { clients: [{ client_id: 'bad', redirect_uris: ['not a url'] }] } }), /client bad/);
    await assert.rejects(
      startServer({ bootstrap: { users: [{ username: 'x', password: 'a', password_hash: '$argon2id$v=19$m=1,t=1,p=1$a$b' }] } }),
      /users\.0/,
    );
    await assert.rejects(startServer({ bootstrap: { users: [{ username: { $ne: null }, password: 'x' }] } }), /users\.0\.username/);
  });

  it('refuses plaintext passwords in production', async () => {
    const key = Buffer.alloc(32, 1).toString('base64url');
    await assert.rejects(
      startServer({
        env: { NODE_ENV: 'production', ISSUER: 'http://localhost:1', COOKIE_KEYS: 'k'.repeat(40), KEY_ENCRYPTION_KEYS: key },
        bootstrap: { users: [user('Frank', [])] },
      }),
      /plaintext passwords are refused in production/,
    );
  });
});
