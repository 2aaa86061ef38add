/** The MFA_* variables: defaults, parsing, and a clear message for a bad value. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/index.ts';

describe('MFA configuration', () => {
  it('defaults to asking everyone who has MFA, enrolment during sign-in, and the issuer host as TOTP issuer', () => {
    const config = loadConfig({ ISSUER: 'https://id.example.com' });
    assert.deepEqual(config.mfa, { policy: 'always', requiredRoles: [], enrolAtLogin: true, totpIssuer: 'id.example.com' });
  });

  it('reads the policy, required roles, enrolment switch and TOTP issuer', () => {
    const config = loadConfig({
      MFA_POLICY: 'when_required',
      MFA_REQUIRED_ROLES: 'admin, auditor',
      MFA_ENROL_AT_LOGIN: 'false',
      MFA_TOTP_ISSUER: 'Example Corp',
    });
    assert.deepEqual(config.mfa, { policy: 'when_required', requiredRoles: ['admin', 'auditor'], enrolAtLogin: false, totpIssuer: 'Example Corp' });
  });

  it('names the variable when a value is not understood', () => {
    assert.throws(
      () => loadConfig({ MFA_POLICY: 'sometimes' }),
      (error: unknown) => error instanceof ConfigError && /MFA_POLICY/.test(error.message),
    );
    assert.throws(
      () => loadConfig({ MFA_ENROL_AT_LOGIN: 'yes' }),
      (error: unknown) => error instanceof ConfigError && /MFA_ENROL_AT_LOGIN/.test(error.message),
    );
  });
});
