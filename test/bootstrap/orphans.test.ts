/** Finding 18: a client or user removed from the bootstrap file is named at every start while it stays active. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { captureLogger } from '../support/log-capture.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { tempDir } from '../support/tmp.ts';

const temp = {
  client_id: 'temp',
  client_secret: 'temp-secret-that-is-long-enough',
  grant_types: ['client_credentials'],
  redirect_uris: [],
  response_types: [],
};
const keep = { client_id: 'keep', client_secret: 'keep-secret-that-is-long-enough', redirect_uris: ['http://127.0.0.1:9999/callback'] };
const frank = { username: 'Frank', password: 'tangerine lighthouse over bridges' };
const gina = { username: 'gina', password: 'marmalade kettles on tuesday' };

describe('entries removed from the bootstrap file', () => {
  const servers: TestServer[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const server of servers) await server.close().catch(() => undefined);
    for (const cleanup of cleanups) await cleanup();
  });

  async function boot(dataDir: string, bootstrap: unknown) {
    const capture = captureLogger();
    const server = await startServer({ dataDir, bootstrap, options: { logger: capture.logger } });
    servers.push(server);
    return { server, warnings: capture.warnings() };
  }

  it('a client or user removed from the bootstrap file is warned about at start, by name, until it is removed from the store', async () => {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    let { server, warnings } = await boot(dir.path, { clients: [temp, keep], users: [frank, gina] });
    assert.equal(warnings.filter((line) => /removed from the bootstrap file/.test(line.msg)).length, 0);
    await server.close();

    ({ server, warnings } = await boot(dir.path, { clients: [keep], users: [gina] }));
    const orphans = warnings.filter((line) => /removed from the bootstrap file/.test(line.msg));
    assert.deepEqual(orphans.map((line) => line.client_id ?? line.username).sort(), ['frank', 'temp']);

    // The documented way out until an admin API exists: remove (or disable) the record in the store.
    await server.portcullis.store.model('Client').destroy('temp');
    const account = await server.portcullis.accounts.findByUsername('frank');
    await server.portcullis.store.accounts.update(account?.id as string, { status: 'disabled' });
    await server.close();

    ({ server, warnings } = await boot(dir.path, { clients: [keep], users: [gina] }));
    assert.equal(warnings.filter((line) => /removed from the bootstrap file/.test(line.msg)).length, 0, 'nothing left to warn about');
    await server.close();
  });
});
