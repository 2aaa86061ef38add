/** The sentences of the Security activity page and the wording of Connected apps, without a server. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeEvent, GENERIC } from '../../src/console/activity-words.ts';
import { resourceName, scopeWords } from '../../src/console/scope-words.ts';
import type { AuditRecord } from '../../src/storage/port.ts';

const event = (type: string, detail?: Record<string, unknown>): AuditRecord => ({ id: 'e1', type, at: new Date(0), ...(detail ? { detail } : {}) });

describe('activity in words', () => {
  it('gives an unknown event type a generic sentence that shows nothing of its detail', () => {
    const sentence = describeEvent(event('something.new', { secretish: 'grant-1234', reason: 'internal_reason' }), 'Web App');
    assert.equal(sentence, GENERIC);
  });

  it('says who signed in where, and whether a second factor was used', () => {
    assert.equal(describeEvent(event('login.success', { amr: ['pwd'] }), 'Web App'), 'Signed in to Web App');
    assert.equal(describeEvent(event('login.success', { amr: ['pwd', 'otp', 'mfa'] }), 'Web App'), 'Signed in to Web App with two-step verification');
    assert.equal(describeEvent(event('login.failed', { reason: 'invalid_credentials' }), 'Web App'), 'Someone tried to sign in with a wrong password');
    assert.equal(describeEvent(event('login.failed', { reason: 'a_reason_without_words' }), 'Web App'), 'A sign-in attempt failed');
  });

  it('says a password-less passkey sign-in as such, and a passkey after the password as two-step verification', () => {
    assert.equal(describeEvent(event('login.success', { amr: ['swk', 'user', 'mfa'] }), 'Web App'), 'Signed in to Web App with a passkey, without a password');
    assert.equal(describeEvent(event('login.success', { amr: ['hwk', 'user', 'mfa'] }), 'Web App'), 'Signed in to Web App with a passkey, without a password');
    assert.equal(describeEvent(event('login.success', { amr: ['pwd', 'swk', 'user', 'mfa'] }), 'Web App'), 'Signed in to Web App with two-step verification');
  });

  it('leaves plumbing and repeated news off the page', () => {
    assert.equal(describeEvent(event('backchannel_logout.sent'), 'Web App'), undefined);
    assert.equal(describeEvent(event('grant.revoked', { reason: 'self' }), 'Web App'), undefined, 'account.app_revoked says it');
    assert.equal(describeEvent(event('grant.revoked', { reason: 'password_changed' }), 'Web App'), 'Web App’s access ended because your password changed');
  });

  it('an administrator’s change to the account is said as such, whatever its type', () => {
    assert.equal(describeEvent(event('admin.account.update'), 'Web App'), 'An administrator changed your account');
  });
});

describe('what an app may access, in words', () => {
  it('has a sentence for the usual scopes and quotes any other', () => {
    assert.equal(scopeWords('email'), 'Your email address');
    assert.equal(scopeWords('offline_access'), 'Stay signed in when you are not using it');
    assert.equal(scopeWords('invoices:read'), 'Permission “invoices:read”');
  });

  it('names resource servers by host, and says which one is the administration of this service', () => {
    const admin = 'https://id.example.com/admin/v1';
    assert.equal(resourceName('https://api.example.com/v2?x=1', admin), 'api.example.com');
    assert.equal(resourceName('urn:example:api', admin), 'urn:example:api');
    assert.equal(resourceName(admin, admin), 'id.example.com (administration of this sign-in service)');
  });
});
