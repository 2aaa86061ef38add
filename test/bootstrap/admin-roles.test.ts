/**
 * Bootstrap users accept admin_roles and clients admin_scopes and first_party. The fingerprint of
 * what bootstrap left now includes admin roles; a store written by the release before (its
 * fingerprint without them) sees no user as changed on upgrade, while admin roles granted in the
 * store since count as an operator's edit.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, describe, it } from 'node:test';
import type { AccountRecord } from '../../src/storage/port.ts';
import { captureLogger } from '../support/log-capture.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { tempDir } from '../support/tmp.ts';

const user = (name: string, extra: Record<string, unknown> = {}) => ({
  username: 'frank',
  name,
  roles: ['user'],
  password: 'tangerine lighthouse over bridges',
  ...extra,
});

/** What the release before this one recorded for a user (bootstrap/apply.ts userState then). */
function previousReleaseFingerprint(account: AccountRecord): string {
  const state = { username: account.username, email: account.email, name: account.name, roles: account.roles, passwordChangedAt: account.passwordChangedAt };
  return createHash('sha256').update(JSON.stringify(state)).digest('base64url');
}

describe('bootstrap admin roles', () => {
  const servers: TestServer[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const server of servers) await server.close().catch(() => undefined);
    for (const cleanup of cleanups) await cleanup();
  });

  async function boot(dataDir: string, bootstrap: unknown) {
    const capture = captureLogger('info');
    const server = await startServer({ dataDir, bootstrap, options: { logger: capture.logger } });
    servers.push(server);
    return { server, capture };
  }
  async function freshDir() {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    return dir.path;
  }
  /** Rewrites what bootstrap recorded for frank as the release before this one would have. */
  async function writtenByPreviousRelease(server: TestServer) {
    const account = (await server.portcullis.accounts.findByUsername('frank')) as AccountRecord;
    const applied = (await server.portcullis.store.records.get<Record<string, unknown>>('bootstrap-user', 'frank')) as Record<string, unknown>;
    await server.portcullis.store.records.put('bootstrap-user', 'frank', { ...applied, record: previousReleaseFingerprint(account) });
  }

  it('creates a person with admin_roles and applies a later change of them; an unknown role name is warned about', async () => {
    const dir = await freshDir();
    const first = await boot(dir, { users: [user('Frank', { admin_roles: ['helpdesk', 'helpdsek'] })] });
    let server = first.server;
    assert.deepEqual((await server.portcullis.accounts.findByUsername('frank'))?.adminRoles, ['helpdesk', 'helpdsek']);
    const unknown = first.capture.warnings().filter((line) => line.msg.includes('unknown admin role'));
    assert.deepEqual(
      unknown.map((line) => line.admin_role),
      ['helpdsek'],
    );
    await server.close();
    ({ server } = await boot(dir, { users: [user('Frank', { admin_roles: ['auditor', 'helpdesk'] })] }));
    assert.deepEqual((await server.portcullis.accounts.findByUsername('frank'))?.adminRoles, ['auditor', 'helpdesk']);
    await server.close();
    ({ server } = await boot(dir, { users: [user('Frank')] }));
    assert.equal((await server.portcullis.accounts.findByUsername('frank'))?.adminRoles, undefined, 'removed from the file, removed from the person');
  });

  it('a store written by the release before sees no user as changed, and applies the next file change', async () => {
    const dir = await freshDir();
    let { server } = await boot(dir, { users: [user('Frank')] });
    const before = (await server.portcullis.accounts.findByUsername('frank')) as AccountRecord;
    await writtenByPreviousRelease(server);
    await server.close();

    // Upgrade with the same file: nothing is re-applied (a plaintext password is not set again).
    let capture: ReturnType<typeof captureLogger>;
    ({ server, capture } = await boot(dir, { users: [user('Frank')] }));
    const same = (await server.portcullis.accounts.findByUsername('frank')) as AccountRecord;
    assert.equal(same.passwordHash, before.passwordHash);
    assert.equal(same.passwordChangedAt.getTime(), before.passwordChangedAt.getTime());
    assert.equal(capture.lines.filter((line) => line.msg.startsWith('bootstrap: user')).length, 0, JSON.stringify(capture.lines));
    await writtenByPreviousRelease(server);
    await server.close();

    // The file gives frank an admin role: applied, not refused as an operator's edit.
    ({ server, capture } = await boot(dir, { users: [user('Frank', { admin_roles: ['auditor'] })] }));
    assert.deepEqual((await server.portcullis.accounts.findByUsername('frank'))?.adminRoles, ['auditor']);
    const bootstrapWarnings = capture.warnings().filter((line) => line.msg.startsWith('bootstrap:'));
    assert.equal(bootstrapWarnings.length, 0, JSON.stringify(bootstrapWarnings));
  });

  it('admin roles granted in the store since count as an edit the file does not overwrite, old fingerprint or new', async () => {
    for (const previous of [false, true]) {
      const dir = await freshDir();
      let { server } = await boot(dir, { users: [user('Frank')] });
      if (previous) await writtenByPreviousRelease(server);
      const frank = (await server.portcullis.accounts.findByUsername('frank')) as AccountRecord;
      await server.portcullis.store.accounts.update(frank.id, { adminRoles: ['admin'] });
      await server.close();
      const next = await boot(dir, { users: [user('Frank F.')] });
      server = next.server;
      const capture = next.capture;
      const after_ = (await server.portcullis.accounts.findByUsername('frank')) as AccountRecord;
      assert.equal(after_.name, 'Frank', `previous release: ${previous}`);
      assert.deepEqual(after_.adminRoles, ['admin']);
      assert.ok(capture.warnings().some((line) => line.msg.includes('changed since it was applied')));
      await server.close();
    }
  });

  it('clients accept admin_scopes and first_party; anything but admin scopes is refused with the client named', async () => {
    const dir = await freshDir();
    const robot = {
      client_id: 'robot',
      client_secret: 'robot-secret-that-is-long-enough-0',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      first_party: true,
      admin_scopes: ['users:read'],
    };
    const { server } = await boot(dir, { clients: [robot] });
    const stored = await server.portcullis.store.model('Client').find('robot');
    assert.deepEqual(stored?.admin_scopes, ['users:read']);
    assert.equal(stored?.first_party, true);
    await server.close();
    await assert.rejects(
      startServer({ dataDir: dir, bootstrap: { clients: [{ ...robot, admin_scopes: ['users:read', 'root'] }] } }),
      /client robot: admin_scopes/,
    );
    await assert.rejects(startServer({ dataDir: dir, bootstrap: { users: [user('Frank', { admin_roles: 'admin' })] } }), /users\.0\.admin_roles/);
  });
});
