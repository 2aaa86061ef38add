/**
 * The anti-escalation policy as a table: every rule of src/rbac/policy.ts, each once allowed and
 * once refused, with the stable code of the refusal. Pure: no server, no store.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keepsAnAdmin, mayGrant, mayManage, mayRemove, type PolicyActor, type Refusal } from '../../src/rbac/policy.ts';
import { ADMIN_SCOPES, type AdminScope, BUILT_IN_ROLES, permissionSet } from '../../src/rbac/scopes.ts';

const roleScopes = (name: string): AdminScope[] => BUILT_IN_ROLES.find((role) => role.name === name)?.permissions ?? [];
const person = (id: string, scopes: Iterable<AdminScope>): PolicyActor => ({ kind: 'account', id, permissions: permissionSet(scopes) });
const operator: PolicyActor = { kind: 'operator', id: 'operator', permissions: permissionSet(ADMIN_SCOPES) };
const admin = person('p-admin', roleScopes('admin'));
const helpdesk = person('p-helpdesk', roleScopes('helpdesk'));
const auditor = person('p-auditor', roleScopes('auditor'));
const machine: PolicyActor = { kind: 'client', id: 'ci-bot', permissions: permissionSet(['users:read', 'users:write']) };

interface Row {
  rule: string;
  decide: () => Refusal | undefined;
  refused?: Refusal['code'];
}

const TABLE: Row[] = [
  // mayGrant: only permissions the actor holds itself.
  { rule: 'admin grants the admin role', decide: () => mayGrant(admin, roleScopes('admin')) },
  { rule: 'operator grants the admin role', decide: () => mayGrant(operator, roleScopes('admin')) },
  { rule: 'helpdesk grants helpdesk', decide: () => mayGrant(helpdesk, roleScopes('helpdesk')) },
  { rule: 'granting nothing is always allowed', decide: () => mayGrant(auditor, []) },
  { rule: 'helpdesk grants itself (or anyone) admin', decide: () => mayGrant(helpdesk, roleScopes('admin')), refused: 'privilege_escalation' },
  { rule: 'auditor grants helpdesk (has no write scopes)', decide: () => mayGrant(auditor, roleScopes('helpdesk')), refused: 'privilege_escalation' },
  { rule: 'a client grants one scope beyond its admin_scopes', decide: () => mayGrant(machine, ['users:read', 'keys:write']), refused: 'privilege_escalation' },
  // mayManage: the target's permissions must be a subset of the actor's.
  { rule: 'helpdesk manages a person without admin roles', decide: () => mayManage(helpdesk, permissionSet([])) },
  { rule: 'helpdesk manages another helpdesk', decide: () => mayManage(helpdesk, permissionSet(roleScopes('helpdesk'))) },
  { rule: 'admin manages an auditor', decide: () => mayManage(admin, permissionSet(roleScopes('auditor'))) },
  { rule: 'helpdesk resets the MFA of an admin', decide: () => mayManage(helpdesk, permissionSet(roleScopes('admin'))), refused: 'target_outranks_actor' },
  {
    rule: 'helpdesk manages an auditor (reads helpdesk lacks)',
    decide: () => mayManage(helpdesk, permissionSet(roleScopes('auditor'))),
    refused: 'target_outranks_actor',
  },
  { rule: 'a client manages an admin', decide: () => mayManage(machine, permissionSet(roleScopes('admin'))), refused: 'target_outranks_actor' },
  // mayRemove: a person may not disable or delete themselves.
  { rule: 'admin disables someone else', decide: () => mayRemove(admin, 'p-other') },
  { rule: 'the operator token has no account of its own to lose', decide: () => mayRemove(operator, 'operator') },
  { rule: 'a client acting on an account with its own id string', decide: () => mayRemove(machine, 'ci-bot') },
  { rule: 'admin disables themselves', decide: () => mayRemove(admin, 'p-admin'), refused: 'self_lockout' },
  { rule: 'helpdesk deletes themselves', decide: () => mayRemove(helpdesk, 'p-helpdesk'), refused: 'self_lockout' },
  // keepsAnAdmin: the last enabled holder of admin cannot lose it.
  { rule: 'demoting one of two admins', decide: () => keepsAnAdmin(2, 1) },
  { rule: 'a change that keeps the only admin', decide: () => keepsAnAdmin(1, 1) },
  { rule: 'no admin before, none after (nothing to protect)', decide: () => keepsAnAdmin(0, 0) },
  { rule: 'demoting or disabling the last admin', decide: () => keepsAnAdmin(1, 0), refused: 'last_admin' },
  { rule: 'removing both of two admins at once', decide: () => keepsAnAdmin(2, 0), refused: 'last_admin' },
];

describe('the anti-escalation policy, as a table', () => {
  for (const row of TABLE) {
    it(`${row.refused ? 'refuses' : 'allows'}: ${row.rule}`, () => {
      const refusal = row.decide();
      if (row.refused === undefined) {
        assert.equal(refusal, undefined);
      } else {
        assert.equal(refusal?.code, row.refused);
        assert.ok(refusal?.message.length);
      }
    });
  }

  it('names the permissions a refused grant is missing', () => {
    assert.match(mayGrant(helpdesk, ['keys:write', 'users:mfa', 'keys:write'])?.message ?? '', /: keys:write$/);
  });

  it('covers every rule both ways', () => {
    for (const code of ['privilege_escalation', 'target_outranks_actor', 'self_lockout', 'last_admin'] as const) {
      assert.ok(TABLE.some((row) => row.refused === code));
    }
    assert.ok(TABLE.filter((row) => row.refused === undefined).length >= 4);
  });
});
