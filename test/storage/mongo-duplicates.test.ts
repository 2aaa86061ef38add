import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mongo } from 'mongoose';
import { duplicateField, isDuplicateKey, toDuplicateError } from '../../src/storage/mongo/duplicates.ts';
import { DuplicateError } from '../../src/storage/port.ts';

const e11000 = (fields: Record<string, unknown>) =>
  new mongo.MongoServerError({ message: 'E11000 duplicate key error collection: p.accounts', code: 11000, ...fields });

describe('mongo duplicate-key mapping', () => {
  it('names the field from keyPattern', () => {
    const error = e11000({ keyPattern: { email: 1 }, keyValue: { email: 'a@example.com' } });
    assert.equal(isDuplicateKey(error), true);
    assert.equal(duplicateField(error), 'email');
    const mapped = toDuplicateError(error, ['username', 'email']);
    assert.ok(mapped instanceof DuplicateError);
    assert.equal(mapped.field, 'email');
  });

  it('falls back to keyValue, then to the index name in the message', () => {
    assert.equal(duplicateField(e11000({ keyValue: { username: 'bob' } })), 'username');
    const old = new mongo.MongoServerError({
      message: 'E11000 duplicate key error collection: p.accounts index: username_1 dup key: { username: "bob" }',
      code: 11000,
    });
    assert.equal(duplicateField(old), 'username');
  });

  it('passes other errors, and duplicates on other fields, through unchanged', () => {
    const other = new mongo.MongoServerError({ message: 'Unauthorized', code: 13 });
    assert.equal(toDuplicateError(other, ['username']), other);
    const onId = e11000({ keyPattern: { _id: 1 } });
    assert.equal(toDuplicateError(onId, ['username', 'email']), onId);
    assert.equal(isDuplicateKey(undefined), false);
  });
});
