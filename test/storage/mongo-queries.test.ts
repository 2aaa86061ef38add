/**
 * The commands the mongo repositories send, checked against a recording stand-in for a driver
 * collection. This pins down the translation (filters, updates, options, how results are read);
 * what the server then does with them is covered by the contract suite in mongo.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Collection, mongo } from 'mongoose';
import { createAccountRepository } from '../../src/storage/mongo/accounts.ts';
import { auditFilter, createAuditRepository, createKeyRepository } from '../../src/storage/mongo/keys-audit.ts';
import { createMfaRepository } from '../../src/storage/mongo/mfa.ts';
import { createModelStore } from '../../src/storage/mongo/models.ts';
import { createRecordRepository } from '../../src/storage/mongo/records.ts';
import { AuditCursorError, DuplicateError } from '../../src/storage/port.ts';

interface Call {
  method: string;
  args: unknown[];
}

/** Records every call; `answers[method]` gives the result (or the error to throw) per call. */
function recorder(answers: Record<string, unknown[]> = {}) {
  const calls: Call[] = [];
  const answer = (method: string) => {
    const value = answers[method]?.shift();
    if (value instanceof Error) throw value;
    return value;
  };
  const cursor = (docs: unknown) => ({
    sort: () => cursor(docs),
    limit: () => cursor(docs),
    toArray: async () => docs ?? [],
  });
  const collection = new Proxy(
    {},
    {
      get:
        (_target, method: string) =>
        (...args: unknown[]) => {
          calls.push({ method, args });
          if (method === 'find') return cursor(answer(method));
          return (async () => answer(method))();
        },
    },
  );
  // Typed at each use, from the parameter it is passed to: the stand-in answers any method.
  return { calls, collection: <T extends mongo.Document>() => collection as unknown as Collection<T> };
}

const live = (filter: unknown) => (filter as { expiresAt?: unknown }).expiresAt;

describe('mongo model commands', () => {
  it('upserts by _id, and reads only unexpired documents', async () => {
    const { calls, collection } = recorder({ findOne: [{ _id: 's', payload: { uid: 'u' } }] });
    const model = createModelStore(collection());
    await model.upsert('s', { uid: 'u' }, 60);
    assert.equal(calls[0]?.method, 'updateOne');
    assert.deepEqual(calls[0]?.args[0], { _id: 's' });
    assert.deepEqual(calls[0]?.args[2], { upsert: true });
    assert.deepEqual(await model.find('s'), { uid: 'u' });
    const [filter] = calls[1]?.args ?? [];
    assert.deepEqual((filter as { _id: unknown })._id, { $eq: 's' });
    assert.ok(live(filter), 'find filters on expiresAt');
  });

  it('queries partially indexed fields with $type so the partial index can be used', async () => {
    const { calls, collection } = recorder();
    const model = createModelStore(collection());
    await model.findByUid('u');
    await model.findByUserCode('CODE');
    await model.findByAccountId('a');
    await model.revokeByGrantId('g');
    await model.findByGrantId('g');
    const filters = calls.map((call) => call.args[0] as Record<string, unknown>);
    assert.deepEqual(filters[0]?.['payload.uid'], { $eq: 'u', $type: 'string' });
    assert.deepEqual(filters[1]?.['payload.userCode'], { $eq: 'CODE', $type: 'string' });
    assert.deepEqual(filters[2]?.['payload.accountId'], { $eq: 'a', $type: 'string' });
    assert.deepEqual(filters[3], { 'payload.grantId': { $eq: 'g', $type: 'string' } });
    assert.deepEqual(filters[4]?.['payload.grantId'], { $eq: 'g', $type: 'string' });
    assert.ok(live(filters[0]) && live(filters[1]) && live(filters[2]) && live(filters[4]));
  });

  it('consumes with one conditional updateOne and believes only modifiedCount 1', async () => {
    const { calls, collection } = recorder({
      updateOne: [{ modifiedCount: 1 }, { modifiedCount: 0, matchedCount: 0 }],
    });
    const model = createModelStore(collection());
    assert.equal(await model.consume('c'), true);
    assert.equal(await model.consume('c'), false);
    assert.equal(calls.length, 2, 'no read before the write');
    const [filter, update] = calls[0]?.args ?? [];
    assert.deepEqual((filter as Record<string, unknown>).consumed, { $exists: false });
    assert.ok(live(filter), 'an expired record cannot be consumed');
    assert.deepEqual(Object.keys(update as object), ['$set']);
  });
});

describe('mongo account, key, mfa and lease commands', () => {
  it('maps E11000 on email to DuplicateError("email")', async () => {
    const duplicate = new mongo.MongoServerError({ message: 'E11000', code: 11000, keyPattern: { email: 1 } });
    const { collection } = recorder({ insertOne: [duplicate] });
    const accounts = createAccountRepository(collection());
    const now = new Date();
    const record = {
      id: 'i',
      username: 'u',
      email: 'e',
      roles: [],
      status: 'active' as const,
      passwordHash: 'h',
      passwordChangedAt: now,
      createdAt: now,
      updatedAt: now,
    };
    await assert.rejects(accounts.create(record), (error: unknown) => error instanceof DuplicateError && error.field === 'email');
  });

  it('updates an account with findOneAndUpdate returning the new document, and reads for an empty patch', async () => {
    const { calls, collection } = recorder({ findOneAndUpdate: [null], findOne: [null] });
    const accounts = createAccountRepository(collection());
    assert.equal(await accounts.update('missing', { status: 'disabled', email: undefined }), undefined);
    assert.deepEqual(calls[0]?.args.slice(1), [{ $set: { status: 'disabled' }, $unset: { email: '' } }, { returnDocument: 'after' }]);
    await accounts.update('x', {});
    assert.equal(calls[1]?.method, 'findOne');
  });

  it('searches accounts with $eq for every value and an escaped, anchored pattern for q; leaves soft-deleted out', async () => {
    const { calls, collection } = recorder({ find: [[]] });
    const accounts = createAccountRepository(collection());
    await accounts.search({ q: 'a.b*(', role: 'staff', adminRole: 'admin', disabled: false, after: 'm', limit: 3 });
    const filter = calls[0]?.args[0] as Record<string, unknown>;
    assert.deepEqual(filter.deletedAt, { $exists: false });
    assert.deepEqual(filter.roles, { $eq: 'staff' });
    assert.deepEqual(filter.adminRoles, { $eq: 'admin' });
    assert.deepEqual(filter.status, { $eq: 'active' });
    assert.deepEqual(filter.username, { $gt: 'm' });
    const [byName] = filter.$or as Array<{ username: { $regex: RegExp } }>;
    assert.equal(byName?.username.$regex.source, '^a\\.b\\*\\(');
  });

  it('purges an account with deleteOne by $eq id, and scrubs audit records by account with $unset', async () => {
    const { calls, collection } = recorder({ deleteOne: [{ deletedCount: 1 }], updateMany: [{ modifiedCount: 2 }] });
    assert.equal(await createAccountRepository(collection()).purge('p-1'), true);
    assert.deepEqual(calls[0]?.args[0], { _id: { $eq: 'p-1' } });
    assert.equal(await createAuditRepository(collection()).scrubAccount('p-1'), 2);
    assert.deepEqual(calls[1]?.args[0], { accountId: { $eq: 'p-1', $type: 'string' } });
    const update = calls[1]?.args[1] as { $unset: Record<string, ''> } | undefined;
    assert.deepEqual(Object.keys(update?.$unset ?? {}).sort(), [
      'detail.address',
      'detail.device',
      'detail.email',
      'detail.ip',
      'detail.name',
      'detail.userAgent',
      'detail.username',
      'ip',
      'userAgent',
    ]);
  });

  it('queries the audit trail with $type-string equalities, a literal type prefix and a cursor on (at, _id)', () => {
    const at = Date.parse('2026-12-01T10:00:00.000Z');
    const cursor = Buffer.from(JSON.stringify([at, 'ev-9'])).toString('base64url');
    const filter = auditFilter({ typePrefix: 'login.', accountId: 'p-1', actorId: 'ivan', clientId: 'app', ip: '192.0.2.1', after: cursor });
    assert.deepEqual(filter, {
      $and: [
        { type: { $regex: '^login\\.' } },
        { accountId: { $eq: 'p-1', $type: 'string' } },
        { 'actor.id': { $eq: 'ivan', $type: 'string' } },
        { clientId: { $eq: 'app', $type: 'string' } },
        { ip: { $eq: '192.0.2.1', $type: 'string' } },
        { $or: [{ at: { $lt: new Date(at) } }, { at: new Date(at), _id: { $lt: 'ev-9' } }] },
      ],
    });
    assert.deepEqual(auditFilter({ order: 'asc', after: cursor }), { $or: [{ at: { $gt: new Date(at) } }, { at: new Date(at), _id: { $gt: 'ev-9' } }] });
    assert.throws(() => auditFilter({ after: 'bm9wZQ' }), AuditCursorError);
  });

  it('transitions a key only from the expected state, by matchedCount', async () => {
    const { calls, collection } = recorder({ updateOne: [{ matchedCount: 1, modifiedCount: 0 }, { matchedCount: 0 }] });
    const keys = createKeyRepository(collection());
    assert.equal(await keys.transition('k', 'next', { state: 'current', kid: 'ignored' }), true);
    assert.equal(await keys.transition('k', 'next', { state: 'current' }), false);
    assert.deepEqual(calls[0]?.args, [{ _id: 'k', state: 'next' }, { $set: { state: 'current' } }]);
  });

  it('advances a TOTP step with $lt in the filter and uses a backup code with the hash in the filter', async () => {
    const { calls, collection } = recorder({ updateOne: [{ modifiedCount: 1 }, { modifiedCount: 0 }] });
    const mfa = createMfaRepository(collection());
    assert.equal(await mfa.advanceTotpStep('f', 7), true);
    assert.equal(await mfa.useBackupCode('f', 'h1'), false);
    assert.deepEqual(calls[0]?.args, [{ _id: 'f', $or: [{ lastStep: { $exists: false } }, { lastStep: { $lt: 7 } }] }, { $set: { lastStep: 7 } }]);
    assert.deepEqual(calls[1]?.args, [{ _id: 'f', codeHashes: 'h1' }, { $pull: { codeHashes: 'h1' } }]);
  });

  it('takes a lease with one upsert and reads a duplicate key as "held by someone else"', async () => {
    const duplicate = new mongo.MongoServerError({ message: 'E11000', code: 11000, keyPattern: { _id: 1 } });
    const outage = new mongo.MongoNetworkError('reset');
    const { calls, collection } = recorder({ findOneAndUpdate: [{}, duplicate, outage] });
    const records = createRecordRepository(collection(), collection());
    assert.equal(await records.tryLock('rotation', 'a', 30), true);
    assert.equal(await records.tryLock('rotation', 'b', 30), false);
    await assert.rejects(records.tryLock('rotation', 'c', 30), outage, 'other errors are not "held"');
    const [filter, update, options] = calls[0]?.args ?? [];
    assert.equal((filter as { _id: string })._id, 'rotation');
    assert.deepEqual((filter as { $or: unknown[] }).$or[0], { holder: 'a' });
    assert.equal((update as { $set: { holder: string } }).$set.holder, 'a');
    assert.deepEqual(options, { upsert: true });
  });

  it('escapes record values and gives them back unescaped', async () => {
    const { calls, collection } = recorder({ findOne: [{ _id: 'k:i', kind: 'k', key: 'i', value: { 'a%2Eb': 1 } }] });
    const records = createRecordRepository(collection(), collection());
    await records.put('k', 'i', { 'a.b': 1 });
    assert.deepEqual(calls[0]?.args[1], { kind: 'k', key: 'i', value: { 'a%2Eb': 1 } });
    assert.deepEqual(await records.get('k', 'i'), { 'a.b': 1 });
  });
});
