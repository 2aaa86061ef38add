/** When a second factor is due: the decision table behind the `mfa` prompt and the password step. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACR_MFA, ACR_PASSWORD, requestedAcrValues } from '../../src/mfa/acr.ts';
import { createMfaPolicy, type MfaFacts, mfaReasons } from '../../src/mfa/policy.ts';

const always = { policy: 'always' as const, requiredRoles: ['admin'], enrolAtLogin: true, totpIssuer: 'x' };
const onRequest = { ...always, policy: 'when_required' as const };
const facts = (overrides: Partial<MfaFacts> = {}): MfaFacts => ({
  enrolled: false,
  roles: ['user'],
  clientRequiresMfa: false,
  requestedAcrs: [],
  maxAge: undefined,
  sessionAmr: ['pwd'],
  ...overrides,
});

describe('MFA policy', () => {
  it('asks people who have MFA at every sign-in when the policy is always, and not otherwise', () => {
    assert.deepEqual(mfaReasons(always, facts({ enrolled: true })), ['policy']);
    assert.deepEqual(mfaReasons(onRequest, facts({ enrolled: true })), []);
    assert.deepEqual(mfaReasons(always, facts()), [], 'nobody is asked for what they do not have');
  });

  it('asks when the client names the multi-factor acr, the client requires it, or a role does', () => {
    assert.deepEqual(mfaReasons(onRequest, facts({ requestedAcrs: [ACR_MFA] })), ['acr_values']);
    assert.deepEqual(mfaReasons(onRequest, facts({ requestedAcrs: [ACR_PASSWORD] })), []);
    assert.deepEqual(mfaReasons(onRequest, facts({ clientRequiresMfa: true })), ['client']);
    assert.deepEqual(mfaReasons(onRequest, facts({ roles: ['user', 'admin'] })), ['role']);
  });

  it('asks people with MFA when max_age forces a fresh sign-in', () => {
    assert.deepEqual(mfaReasons(onRequest, facts({ enrolled: true, maxAge: 0 })), ['max_age']);
    assert.deepEqual(mfaReasons(onRequest, facts({ maxAge: 0 })), []);
  });

  it('asks nothing of a session that already has a second factor', () => {
    const all = facts({ enrolled: true, requestedAcrs: [ACR_MFA], clientRequiresMfa: true, roles: ['admin'], maxAge: 60 });
    assert.deepEqual(mfaReasons(always, all), ['policy', 'acr_values', 'client', 'role', 'max_age']);
    assert.deepEqual(mfaReasons(always, { ...all, sessionAmr: ['pwd', 'otp', 'mfa'] }), []);
  });

  it('reads acr requests from acr_values and from the claims parameter', () => {
    assert.deepEqual(requestedAcrValues({ acr_values: `${ACR_PASSWORD} ${ACR_MFA}` }), [ACR_PASSWORD, ACR_MFA]);
    assert.deepEqual(requestedAcrValues({ claims: JSON.stringify({ id_token: { acr: { essential: true, values: [ACR_MFA] } } }) }), [ACR_MFA]);
    assert.deepEqual(requestedAcrValues({ claims: '{not json' }), []);
  });

  it('blocks, rather than enrols, when sign-in enrolment is off', async () => {
    const accounts = { findById: async () => ({ roles: ['admin'] }) as never };
    const allowed = createMfaPolicy(always, accounts, async () => false);
    const forbidden = createMfaPolicy({ ...always, enrolAtLogin: false }, accounts, async () => false);
    const input = { accountId: 'a', clientRequiresMfa: false, params: {}, sessionAmr: ['pwd'] };
    assert.deepEqual(await allowed.decide(input), { reasons: ['role'], enrolled: false, blocked: false });
    assert.deepEqual(await forbidden.decide(input), { reasons: ['role'], enrolled: false, blocked: true });
  });

  it('offers enrolment during sign-in only for reasons the operator set, never for acr_values the request chose', async () => {
    const accounts = { findById: async () => ({ roles: ['user'] }) as never };
    const policy = createMfaPolicy(always, accounts, async () => false);
    const base = { accountId: 'a', clientRequiresMfa: false, sessionAmr: ['pwd'] };
    const asked = { ...base, params: { acr_values: ACR_MFA } };
    assert.deepEqual(await policy.decide(asked), { reasons: ['acr_values'], enrolled: false, blocked: true });
    assert.deepEqual(await policy.decide({ ...asked, clientRequiresMfa: true }), { reasons: ['acr_values', 'client'], enrolled: false, blocked: false });
    const admin = createMfaPolicy(always, { findById: async () => ({ roles: ['admin'] }) as never }, async () => false);
    assert.deepEqual(await admin.decide(asked), { reasons: ['acr_values', 'role'], enrolled: false, blocked: false });
    const enrolled = createMfaPolicy(always, accounts, async () => true);
    assert.deepEqual(await enrolled.decide(asked), { reasons: ['policy', 'acr_values'], enrolled: true, blocked: false }, 'people with MFA are simply asked');
  });

  it('asks for a second factor when the request names the admin API (ADMIN_REQUIRE_MFA), and never enrols for it', async () => {
    const admin = { resource: 'https://id.example.com/admin/v1', requireMfa: true };
    const accounts = { findById: async () => ({ roles: ['admin'] }) as never };
    const base = { accountId: 'a', clientRequiresMfa: true, sessionAmr: ['pwd'] };
    const policy = createMfaPolicy(onRequest, accounts, async () => false, admin);
    // client and role would lead into enrolment on their own; with the admin API asked for, they do not.
    assert.deepEqual(await policy.decide({ ...base, params: {} }), { reasons: ['client', 'role'], enrolled: false, blocked: false });
    for (const resource of [admin.resource, ['https://api.example.com', admin.resource]]) {
      assert.deepEqual(await policy.decide({ ...base, params: { resource } }), { reasons: ['client', 'role', 'admin'], enrolled: false, blocked: true });
    }
    const enrolled = createMfaPolicy(onRequest, accounts, async () => true, admin);
    assert.deepEqual(await enrolled.decide({ ...base, clientRequiresMfa: false, params: { resource: admin.resource } }), {
      reasons: ['role', 'admin'],
      enrolled: true,
      blocked: false,
    });
    assert.deepEqual(await enrolled.decide({ ...base, params: { resource: admin.resource }, sessionAmr: ['pwd', 'otp', 'mfa'] }), {
      reasons: [],
      enrolled: true,
      blocked: false,
    });
    const optional = createMfaPolicy(onRequest, { findById: async () => ({ roles: [] }) as never }, async () => false, { ...admin, requireMfa: false });
    assert.deepEqual(await optional.decide({ ...base, clientRequiresMfa: false, params: { resource: admin.resource } }), {
      reasons: [],
      enrolled: false,
      blocked: false,
    });
  });
});
