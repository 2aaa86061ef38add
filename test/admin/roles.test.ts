/**
 * The roles resource of /admin/v1 over HTTP: custom management roles next to the immutable
 * built-in ones, the anti-escalation rules on what a role may carry, and a role change reaching
 * its holders at their next request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clientAdminToken, personAdminToken } from '../support/admin-token.ts';
import { startServer, type TestServer } from '../support/server.ts';

const TOKEN = 'operator-token-that-is-long-enough-0123456789';

interface Json {
  [key: string]: unknown;
}

describe('admin API: roles', () => {
  let server: TestServer;

  async function call(method: string, path: string, body?: unknown, token = TOKEN) {
    const response = await fetch(`${server.url}/admin/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Json };
  }

  const snapshot = async () => JSON.stringify(await server.portcullis.store.records.list('admin-role'));
  const giveRole = async (username: string, adminRoles: string[]) => {
    const account = await server.portcullis.accounts.findByUsername(username);
    assert.ok(account);
    await server.portcullis.store.accounts.update(account.id, { adminRoles });
    return account.id;
  };

  before(async () => {
    server = await startServer({ env: { OPERATOR_TOKEN: TOKEN } });
  });
  after(() => server.close());

  it('creates, reads, updates and deletes a role', async () => {
    const created = await call('POST', '/roles', {
      name: 'reviewer',
      description: 'reads clients',
      permissions: ['clients:read', 'clients:read', 'audit:read'],
    });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body, { name: 'reviewer', description: 'reads clients', permissions: ['clients:read', 'audit:read'], built_in: false });
    assert.deepEqual((await call('GET', '/roles/reviewer')).body, created.body);
    const patched = await call('PATCH', '/roles/reviewer', { permissions: ['clients:read'] });
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.body.permissions, ['clients:read']);
    assert.equal(patched.body.description, 'reads clients');
    const stored = await server.portcullis.store.records.get<{ createdAt: string; updatedAt: string }>('admin-role', 'reviewer');
    assert.ok(stored && stored.createdAt <= stored.updatedAt);
    assert.equal((await call('DELETE', '/roles/reviewer')).status, 204);
    assert.equal((await call('GET', '/roles/reviewer')).body.error, 'role_not_found');
  });

  it('lists the built-in roles first, read-only, and pages through the rest', async () => {
    for (const name of ['ops-a', 'ops-b', 'ops-c']) assert.equal((await call('POST', '/roles', { name, permissions: [] })).status, 201);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: Json } = await call('GET', `/roles?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...(page.body.items as Json[]).map((role) => String(role.name)));
      cursor = page.body.next_cursor as string | null;
    } while (cursor);
    assert.deepEqual(seen, ['admin', 'auditor', 'helpdesk', 'ops-a', 'ops-b', 'ops-c']);
    const admin = await call('GET', '/roles/admin');
    assert.equal(admin.body.built_in, true);
    const before = await snapshot();
    for (const [method, path, body, status, code] of [
      ['PATCH', '/roles/admin', { description: 'mine' }, 403, 'builtin_role'],
      ['PATCH', '/roles/helpdesk', { permissions: ['users:read'] }, 403, 'builtin_role'],
      ['DELETE', '/roles/auditor', undefined, 403, 'builtin_role'],
      ['POST', '/roles', { name: 'admin', permissions: [] }, 409, 'role_exists'],
      ['POST', '/roles', { name: 'ops-a', permissions: [] }, 409, 'role_exists'],
    ] as const) {
      const answer = await call(method, path, body);
      assert.equal(answer.status, status, `${method} ${path}`);
      assert.equal(answer.body.error, code, `${method} ${path}`);
    }
    assert.equal(await snapshot(), before);
  });

  it('refuses to delete a role someone holds', async () => {
    await call('POST', '/roles', { name: 'held', permissions: ['users:read'] });
    const bob = await giveRole('bob', ['held']);
    const refused = await call('DELETE', '/roles/held');
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error, 'role_in_use');
    assert.equal((await call('GET', '/roles/held')).status, 200);
    await server.portcullis.store.accounts.update(bob, { adminRoles: [] });
    assert.equal((await call('DELETE', '/roles/held')).status, 204);
  });

  it('a changed role changes what its holders may do at their next request', async () => {
    await call('POST', '/roles', { name: 'client-reader', permissions: ['clients:read', 'roles:read'] });
    const alice = await giveRole('alice', ['client-reader']);
    const token = await personAdminToken(server.portcullis, alice, ['clients:read', 'roles:read']);
    assert.equal((await call('GET', '/clients', undefined, token)).status, 200);
    assert.equal((await call('PATCH', '/roles/client-reader', { permissions: ['roles:read'] })).status, 200);
    const after = await call('GET', '/clients', undefined, token);
    assert.equal(after.status, 403);
    assert.equal(after.body.error, 'insufficient_scope');
    assert.equal((await call('GET', '/roles', undefined, token)).status, 200);
    await server.portcullis.store.accounts.update(alice, { adminRoles: [] });
  });

  it('answers every bad request with a 4xx and a stable code, and writes nothing', async () => {
    await call('POST', '/roles', { name: 'stable', permissions: ['users:read'] });
    const before = await snapshot();
    const big = JSON.stringify({ name: 'big', description: 'x'.repeat(20_000), permissions: [] });
    const cases: Array<[string, string, unknown, number, string]> = [
      ['POST', '/roles', { name: 'Upper', permissions: [] }, 400, 'invalid_request'],
      ['POST', '/roles', { name: '9lives', permissions: [] }, 400, 'invalid_request'],
      ['POST', '/roles', { name: `a${'b'.repeat(64)}`, permissions: [] }, 400, 'invalid_request'],
      ['POST', '/roles', { name: { $ne: 1 }, permissions: [] }, 400, 'invalid_request'],
      ['POST', '/roles', { name: 'x', permissions: ['openid'] }, 400, 'invalid_request'],
      ['POST', '/roles', { name: 'x', permissions: 'users:read' }, 400, 'invalid_request'],
      ['POST', '/roles', { name: 'x', permissions: [{ $gt: '' }] }, 400, 'invalid_request'],
      ['POST', '/roles', { name: 'x', description: 5, permissions: [] }, 400, 'invalid_request'],
      ['POST', '/roles', { name: 'x', permissions: [], builtIn: true }, 400, 'invalid_request'],
      ['POST', '/roles', { name: 'x' }, 400, 'invalid_request'],
      ['POST', '/roles', [], 400, 'invalid_request'],
      ['POST', '/roles', '{"name":', 400, 'invalid_request'],
      ['POST', '/roles', big, 413, 'request_too_large'],
      ['PATCH', '/roles/stable', { name: 'renamed' }, 400, 'invalid_request'],
      ['PATCH', '/roles/stable', { permissions: ['root'] }, 400, 'invalid_request'],
      ['PATCH', '/roles/stable', { description: { $set: 'x' } }, 400, 'invalid_request'],
      ['PATCH', '/roles/stable', big, 413, 'request_too_large'],
      ['PATCH', '/roles/nobody', { description: 'x' }, 404, 'role_not_found'],
      ['PATCH', `/roles/${encodeURIComponent('{"$ne":1}')}`, { description: 'x' }, 404, 'role_not_found'],
      ['GET', '/roles/NOBODY', undefined, 404, 'role_not_found'],
      ['DELETE', '/roles/nobody', undefined, 404, 'role_not_found'],
      ['GET', '/roles?limit=abc', undefined, 400, 'invalid_request'],
      ['GET', '/roles?cursor=AAAA_', undefined, 400, 'invalid_cursor'],
      ['GET', '/roles?name=stable', undefined, 400, 'invalid_request'],
    ];
    for (const [method, path, body, status, code] of cases) {
      const answer = await call(method, path, body);
      assert.equal(answer.status, status, `${method} ${path} ${typeof body === 'string' ? body.slice(0, 40) : JSON.stringify(body)}`);
      assert.equal(answer.body.error, code, `${method} ${path}`);
    }
    assert.equal(await snapshot(), before, 'nothing written');
  });

  it('refuses an actor that would grant permissions it does not hold, or change a stronger role', async () => {
    await call('POST', '/clients', {
      client_id: 'role-manager',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      admin_scopes: ['roles:read', 'roles:write', 'users:read'],
    });
    await call('POST', '/roles', { name: 'key-keeper', permissions: ['keys:write'] });
    const token = await clientAdminToken(server.portcullis, 'role-manager', ['roles:read', 'roles:write']);
    const before = await snapshot();
    for (const [method, path, body, code] of [
      ['POST', '/roles', { name: 'sneaky', permissions: ['users:read', 'users:write'] }, 'privilege_escalation'],
      ['PATCH', '/roles/key-keeper', { description: 'mine' }, 'target_outranks_actor'],
      ['PATCH', '/roles/key-keeper', { permissions: [] }, 'target_outranks_actor'],
      ['DELETE', '/roles/key-keeper', undefined, 'target_outranks_actor'],
    ] as const) {
      const answer = await call(method, path, body, token);
      assert.equal(answer.status, 403, `${method} ${path}`);
      assert.equal(answer.body.error, code, `${method} ${path}`);
    }
    assert.equal(await snapshot(), before, 'nothing written');
    const own = await call('POST', '/roles', { name: 'reader', permissions: ['users:read'] }, token);
    assert.equal(own.status, 201);
    const widen = await call('PATCH', '/roles/reader', { permissions: ['users:read', 'users:mfa'] }, token);
    assert.equal(widen.body.error, 'privilege_escalation');
  });

  it('audits role writes with the changed field names', async () => {
    await call('POST', '/roles', { name: 'audited', permissions: [] });
    await call('PATCH', '/roles/audited', { description: 'now described' });
    await call('DELETE', '/roles/audited');
    await server.portcullis.audit.flush();
    const events = (await server.portcullis.store.audit.list({ limit: 500 })).filter(
      (event) => event.type.startsWith('admin.roles.') && (event.detail?.target as Json | undefined)?.id === 'audited',
    );
    assert.deepEqual(events.map((event) => event.type).sort(), ['admin.roles.create', 'admin.roles.delete', 'admin.roles.update']);
    assert.deepEqual(events.find((event) => event.type === 'admin.roles.update')?.detail?.fields, ['description']);
    assert.deepEqual(events.find((event) => event.type === 'admin.roles.update')?.detail?.target, { kind: 'role', id: 'audited' });
  });
});
