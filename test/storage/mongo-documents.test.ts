import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromModelDocument, notExpired, toModelUpdate, toPatchUpdate } from '../../src/storage/mongo/documents.ts';

const NOW = new Date('2025-01-01T00:00:00Z');

describe('mongo model documents', () => {
  it('maps payload → update → document → the same payload', () => {
    const payload = { uid: 'u', accountId: 'a', authorizations: { 'app.example.com': { sid: 's' } } };
    const update = toModelUpdate(payload, 60, NOW);
    assert.deepEqual(update.$set.payload, {
      uid: 'u',
      accountId: 'a',
      authorizations: { 'app%2Eexample%2Ecom': { sid: 's' } },
    });
    // What the server would hold after the upsert:
    const doc = { _id: 's-1', ...update.$set };
    assert.deepEqual(fromModelDocument(doc), payload);
  });

  it('sets expiresAt from expiresIn, and unsets it when there is none', () => {
    const update = toModelUpdate({ grantId: 'g' }, 90, NOW);
    assert.equal(update.$set.expiresAt?.toISOString(), '2025-01-01T00:01:30.000Z');
    assert.equal(update.$unset, undefined);
    const forever = toModelUpdate({ client_id: 'c' }, undefined, NOW);
    assert.equal(forever.$set.expiresAt, undefined);
    assert.deepEqual(forever.$unset, { expiresAt: '' });
  });

  it('never clears a consumed mark: the upsert only sets it, and find puts it back', () => {
    const resaved = toModelUpdate({ grantId: 'g', extra: 1 }, 60, NOW);
    assert.equal('consumed' in resaved.$set, false, 'no $set of consumed when the payload has none');
    assert.equal(resaved.$unset && 'consumed' in resaved.$unset, undefined);
    const withMark = toModelUpdate({ grantId: 'g', consumed: 1700000000 }, 60, NOW);
    assert.equal(withMark.$set.consumed, 1700000000);
    // A document consumed earlier and saved again without the mark keeps it on read:
    const doc = { payload: resaved.$set.payload, consumed: 1700000001 };
    assert.deepEqual(fromModelDocument(doc), { grantId: 'g', extra: 1, consumed: 1700000001 });
  });

  it('filters expired documents, keeping those without expiry', () => {
    assert.deepEqual(notExpired(NOW), { expiresAt: { $not: { $lte: NOW } } });
  });

  it('splits a patch into $set and $unset and leaves out empty operators', () => {
    assert.deepEqual(toPatchUpdate({ status: 'disabled', email: undefined }), {
      $set: { status: 'disabled' },
      $unset: { email: '' },
    });
    assert.deepEqual(toPatchUpdate({ email: undefined }), { $unset: { email: '' } });
    assert.deepEqual(toPatchUpdate({ roles: [] }), { $set: { roles: [] } });
    assert.equal(toPatchUpdate({}), undefined);
  });
});
