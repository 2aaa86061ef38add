import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MODEL_NAMES } from '../../src/storage/models.ts';
import { modelCollection } from '../../src/storage/mongo/collections.ts';
import { describeIndex, type ExistingIndex, findIndexProblems } from '../../src/storage/mongo/index-sync.ts';
import { INDEXES, type IndexDefinition } from '../../src/storage/mongo/indexes.ts';

function find(collection: string, name: string): IndexDefinition {
  const found = INDEXES.find((index) => index.collection === collection && index.name === name);
  assert.ok(found, `${collection}.${name} is in the list`);
  return found;
}

describe('mongo index definitions', () => {
  it('names model collections oidc_ + snake case', () => {
    assert.equal(modelCollection('Session'), 'oidc_session');
    assert.equal(modelCollection('AccessToken'), 'oidc_access_token');
    assert.equal(modelCollection('BackchannelAuthenticationRequest'), 'oidc_backchannel_authentication_request');
  });

  it('gives every model collection a TTL index on expiresAt', () => {
    for (const model of MODEL_NAMES) {
      const ttl = find(modelCollection(model), 'expiresAt_1');
      assert.deepEqual(ttl.key, { expiresAt: 1 });
      assert.equal(ttl.expireAfterSeconds, 0);
    }
  });

  it('makes Session uid and DeviceCode userCode unique, only where they are strings', () => {
    const uid = find('oidc_session', 'payload.uid_1');
    assert.equal(uid.unique, true);
    assert.deepEqual(uid.partialFilterExpression, { 'payload.uid': { $type: 'string' } });
    const userCode = find('oidc_device_code', 'payload.userCode_1');
    assert.equal(userCode.unique, true);
    assert.deepEqual(userCode.partialFilterExpression, { 'payload.userCode': { $type: 'string' } });
  });

  it('indexes grantId on the grant-bound models and accountId on sessions and grants', () => {
    for (const model of ['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']) {
      assert.equal(find(modelCollection(model), 'payload.grantId_1').unique, undefined);
    }
    find('oidc_session', 'payload.accountId_1');
    find('oidc_grant', 'payload.accountId_1');
  });

  it('makes usernames unique and emails unique when present', () => {
    assert.equal(find('accounts', 'username_1').unique, true);
    const email = find('accounts', 'email_1');
    assert.equal(email.unique, true);
    assert.deepEqual(email.partialFilterExpression, { email: { $type: 'string' } });
  });

  it('has no two definitions with the same collection and name', () => {
    const ids = INDEXES.map((index) => `${index.collection}.${index.name}`);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('describes an index the way warnings name it', () => {
    assert.equal(describeIndex(find('oidc_session', 'payload.uid_1')), 'oidc_session.payload.uid_1 (unique, partial)');
    assert.equal(describeIndex(find('oidc_grant', 'expiresAt_1')), 'oidc_grant.expiresAt_1 (ttl 0s)');
  });
});

describe('mongo index comparison', () => {
  const uid = find('oidc_session', 'payload.uid_1');
  const ttl = find('oidc_session', 'expiresAt_1');
  const asListed = (index: IndexDefinition, extra: Partial<ExistingIndex> = {}): ExistingIndex => {
    const { collection: _collection, ...rest } = index;
    return { ...rest, ...extra };
  };

  it('reports every index of a collection that does not exist yet as absent', () => {
    const problems = findIndexProblems([uid, ttl], new Map());
    assert.deepEqual(
      problems.map((problem) => [problem.index.name, problem.reason]),
      [
        ['payload.uid_1', 'absent'],
        ['expiresAt_1', 'absent'],
      ],
    );
  });

  it('accepts identical indexes, also under another name', () => {
    const existing = new Map([['oidc_session', [asListed(uid, { name: 'custom' }), asListed(ttl)]]]);
    assert.deepEqual(findIndexProblems([uid, ttl], existing), []);
  });

  it('flags an index in the way with other options', () => {
    const existing = new Map([['oidc_session', [{ name: 'payload.uid_1', key: { 'payload.uid': 1 } }, asListed(ttl, { expireAfterSeconds: 3600 })]]]);
    const problems = findIndexProblems([uid, ttl], existing);
    assert.deepEqual(
      problems.map((problem) => [problem.index.name, problem.reason, problem.existingName]),
      [
        ['payload.uid_1', 'different', 'payload.uid_1'],
        ['expiresAt_1', 'different', 'expiresAt_1'],
      ],
    );
  });

  it('does not take a sparse index for a partial one', () => {
    const existing = new Map([['oidc_session', [asListed(uid, { sparse: true })]]]);
    assert.equal(findIndexProblems([uid], existing)[0]?.reason, 'different');
  });
});

describe('mongo indexes of the audit trail', () => {
  it('indexes each filter of the audit query together with the sort key, and chain + seq for verify', () => {
    const audit = INDEXES.filter((index) => index.collection === 'audit');
    for (const field of ['type', 'accountId', 'actor.id', 'clientId', 'ip']) {
      const found = audit.find((index) => Object.keys(index.key)[0] === field);
      assert.deepEqual(found?.key, { [field]: 1, at: -1, _id: -1 }, field);
    }
    assert.ok(audit.some((index) => JSON.stringify(index.key) === JSON.stringify({ at: -1, _id: -1 })));
    assert.ok(audit.some((index) => JSON.stringify(index.key) === JSON.stringify({ chain: 1, seq: 1 })));
  });

  it('has no TTL index on the trail: retention is the leased purge that writes a checkpoint', () => {
    assert.deepEqual(
      INDEXES.filter((index) => index.collection === 'audit' && index.expireAfterSeconds !== undefined),
      [],
    );
  });
});
