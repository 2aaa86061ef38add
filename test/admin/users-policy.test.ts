/**
 * Who may do what to a person, at the domain (accounts/admin-users.ts) with Actor objects: the
 * policy paths for people and clients with fewer permissions than the operator. (Over HTTP these
 * need admin tokens for people; the operator paths are in users.test.ts.) Also what a change of
 * admin roles revokes, and the notices a person gets.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type AdminUsers, createAdminUsers, type NoticeKind, PolicyRefused } from '../../src/accounts/admin-users.ts';
import { createPasswordHasher } from '../../src/accounts/hashing.ts';
import type { PolicyActor } from '../../src/rbac/policy.ts';
import { createRoleRegistry } from '../../src/rbac/roles.ts';
import { ADMIN_SCOPES, adminResourceOf, BUILT_IN_ROLES, permissionSet } from '../../src/rbac/scopes.ts';
import { createAdminGrantRevoker } from '../../src/sessions/admin-grants.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

const scopesOf = (role: string) => BUILT_IN_ROLES.find((entry) => entry.name === role)?.permissions ?? [];
const refusedWith = (code: string) => (error: unknown) => {
  assert.ok(error instanceof PolicyRefused, String(error));
  assert.equal(error.refusal.code, code);
  return true;
};

describe('admin users: the policy for actors with fewer permissions', () => {
  let server: TestServer;
  let users: AdminUsers;
  const notices: Array<{ id: string; kind: NoticeKind }> = [];
  const adminGrantRevocations: string[] = [];
  const ended: string[] = [];
  const operator: PolicyActor = { kind: 'operator', id: 'operator', permissions: permissionSet(ADMIN_SCOPES) };
  let helpdesk: PolicyActor;
  let admin: PolicyActor;
  let adminId: string;
  let plainId: string;

  before(async () => {
    server = await startServer();
    const { portcullis } = server;
    users = createAdminUsers({
      repo: portcullis.store.accounts,
      accounts: portcullis.accounts,
      hasher: await createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 }),
      passwordPolicy: { rules: { history: 5 }, assert: async () => undefined },
      roles: createRoleRegistry(portcullis.store.records),
      removeFactors: (id) => portcullis.mfa.remove(id),
      forgetMail: async () => undefined,
      endEverything: async (id) => {
        ended.push(id);
        await portcullis.sessions.endAllExcept(id, undefined, 'admin');
      },
      revokeAdminGrants: async (id) => {
        adminGrantRevocations.push(id);
      },
      unlock: async () => undefined,
      audit: { repo: portcullis.store.audit, flush: () => portcullis.audit.flush() },
      records: portcullis.store.records,
      notify: (account, kind) => {
        notices.push({ id: account.id, kind });
      },
      now: Date.now,
    });
    const desk = await users.create(operator, { username: 'desk', password: PASSWORD, adminRoles: ['helpdesk'] });
    const boss = await users.create(operator, { username: 'boss', password: PASSWORD, adminRoles: ['admin'] });
    const plain = await users.create(operator, { username: 'plain', password: PASSWORD });
    helpdesk = { kind: 'account', id: desk.id, permissions: permissionSet(scopesOf('helpdesk')) };
    admin = { kind: 'account', id: boss.id, permissions: permissionSet(scopesOf('admin')) };
    adminId = boss.id;
    plainId = plain.id;
  });
  after(() => server.close());
  beforeEach(() => {
    notices.length = 0;
    adminGrantRevocations.length = 0;
    ended.length = 0;
  });

  it("helpdesk cannot reset an admin's factors; the factors stay and no notice goes out", async () => {
    await server.portcullis.store.mfa.insert({ id: 'boss-totp', accountId: adminId, type: 'totp', sealedSecret: 's', createdAt: new Date() });
    await assert.rejects(users.resetMfa(helpdesk, adminId), refusedWith('target_outranks_actor'));
    assert.equal((await server.portcullis.store.mfa.listByAccount(adminId)).length, 1);
    assert.deepEqual(notices, []);
  });

  it("helpdesk resets a plain person's factors, and the person is notified", async () => {
    await server.portcullis.store.mfa.insert({ id: 'plain-totp', accountId: plainId, type: 'totp', sealedSecret: 's', createdAt: new Date() });
    await users.resetMfa(helpdesk, plainId);
    assert.deepEqual(await server.portcullis.store.mfa.listByAccount(plainId), []);
    assert.deepEqual(notices, [{ id: plainId, kind: 'mfa_reset' }]);
  });

  it('helpdesk cannot grant itself admin, nor create an admin', async () => {
    await assert.rejects(users.update(helpdesk, helpdesk.id, { adminRoles: ['admin'] }), refusedWith('privilege_escalation'));
    await assert.rejects(users.create(helpdesk, { username: 'sneaky', password: PASSWORD, adminRoles: ['admin'] }), refusedWith('privilege_escalation'));
    assert.deepEqual((await server.portcullis.store.accounts.findById(helpdesk.id))?.adminRoles, ['helpdesk']);
    assert.equal(await server.portcullis.store.accounts.findByUsername('sneaky'), undefined);
  });

  it('helpdesk cannot set the password of, disable, delete or end the sessions of an admin', async () => {
    await assert.rejects(users.setPassword(helpdesk, adminId, { password: 'another long password' }), refusedWith('target_outranks_actor'));
    await assert.rejects(users.update(helpdesk, adminId, { disabled: true }), refusedWith('target_outranks_actor'));
    await assert.rejects(users.remove(helpdesk, adminId, false), refusedWith('target_outranks_actor'));
    await assert.rejects(users.endSessions(helpdesk, adminId), refusedWith('target_outranks_actor'));
    const boss = await server.portcullis.store.accounts.findById(adminId);
    assert.equal(boss?.status, 'active');
    assert.equal(boss?.deletedAt, undefined);
    assert.deepEqual(ended, []);
  });

  it('a person may not disable or delete themselves', async () => {
    await assert.rejects(users.update(helpdesk, helpdesk.id, { disabled: true }), refusedWith('self_lockout'));
    await assert.rejects(users.remove(helpdesk, helpdesk.id, false), refusedWith('self_lockout'));
    await assert.rejects(users.remove(admin, adminId, true), refusedWith('self_lockout'));
    assert.equal((await server.portcullis.store.accounts.findById(helpdesk.id))?.status, 'active');
  });

  it('an admin sets a password: sessions end and the person is notified', async () => {
    await users.setPassword(admin, plainId, { password: 'an admin chose this one', mustChange: true });
    assert.deepEqual(ended, [plainId]);
    assert.deepEqual(notices, [{ id: plainId, kind: 'password_set' }]);
  });

  it("changing admin roles revokes the person's admin grants; other changes do not", async () => {
    await users.update(admin, helpdesk.id, { name: 'Desk' });
    assert.deepEqual(adminGrantRevocations, []);
    await users.update(admin, helpdesk.id, { adminRoles: ['helpdesk'] });
    assert.deepEqual(adminGrantRevocations, []);
    await users.update(admin, helpdesk.id, { adminRoles: ['auditor'] });
    assert.deepEqual(adminGrantRevocations, [helpdesk.id]);
  });

  it('the admin-grant revoker takes only grants that hold the admin resource', async () => {
    const grants = server.portcullis.store.model('Grant');
    const resource = adminResourceOf(server.portcullis.config.issuer);
    await grants.upsert('g-admin', { accountId: 'grant-owner', clientId: 'portcullis-cli', resources: { [resource]: 'users:read' } }, 600);
    await grants.upsert('g-other', { accountId: 'grant-owner', clientId: 'web-app', resources: { 'https://api.example.com': 'read' } }, 600);
    const revoked: string[] = [];
    const revoke = createAdminGrantRevoker({
      grants,
      revokeGrant: async (id) => {
        revoked.push(id);
      },
      audit: server.portcullis.audit,
      resource,
    });
    assert.equal(await revoke('grant-owner'), 1);
    assert.deepEqual(revoked, ['g-admin']);
  });
});
