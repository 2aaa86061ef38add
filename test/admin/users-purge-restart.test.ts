/**
 * An erased person stays erased across a restart: a bootstrap file that still names them with
 * the same id does not bring them (or their `sub`) back; it warns instead.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_BOOTSTRAP, PASSWORD, startServer, type TestServer } from '../support/server.ts';

const TOKEN = 'operator-token-that-is-long-enough-0123456789';

describe('admin API: purge and the bootstrap file', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({
      env: { OPERATOR_TOKEN: TOKEN },
      bootstrap: {
        ...DEFAULT_BOOTSTRAP,
        users: [...DEFAULT_BOOTSTRAP.users, { id: 'fixed-sub-1', username: 'filed', email: 'filed@example.com', password: PASSWORD }],
      },
    });
  });
  after(() => server.close());

  it('does not re-create an erased person whose id the file names, and keeps the id unused', async () => {
    assert.equal((await server.portcullis.accounts.findById('fixed-sub-1'))?.username, 'filed');
    const purge = await fetch(`${server.url}/admin/v1/users/fixed-sub-1?purge=true`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(purge.status, 204);
    server = await server.restart();
    assert.equal(await server.portcullis.accounts.findById('fixed-sub-1'), undefined);
    assert.equal(await server.portcullis.accounts.findByUsername('filed'), undefined);
    assert.ok(await server.portcullis.accounts.findByUsername('alice'));
  });
});
