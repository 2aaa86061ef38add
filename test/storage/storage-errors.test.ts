import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { mongo } from 'mongoose';
import { isStorageUnavailable } from '../../src/storage/errors.ts';
import { createMongoStore } from '../../src/storage/mongo/index.ts';

/** A loopback port with nothing listening: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(address && typeof address === 'object');
  return address.port;
}

function named(name: string, fields: Record<string, unknown> = {}): Error {
  const error = new Error('x');
  Object.defineProperty(error, 'name', { value: name });
  return Object.assign(error, fields);
}

describe('isStorageUnavailable', () => {
  it('recognises the driver classes that mean "no connection"', () => {
    // The driver does not export TopologyDescription's constructor; the error only reads `.error`.
    const description = { type: 'Unknown', servers: new Map() } as unknown as mongo.TopologyDescription;
    const samples = [
      new mongo.MongoServerSelectionError('Server selection timed out after 5000 ms', description),
      new mongo.MongoNetworkError('connect ECONNREFUSED 127.0.0.1:27017'),
      new mongo.MongoNetworkTimeoutError('connection timed out'),
      new mongo.MongoNotConnectedError('Client must be connected before running operations'),
      new mongo.MongoTopologyClosedError(),
      new mongo.MongoServerClosedError(),
      new mongo.MongoClientClosedError(),
      new mongo.MongoOperationTimeoutError('timed out'),
    ];
    for (const error of samples) assert.equal(isStorageUnavailable(error), true, error.name);
  });

  it('recognises classes the driver does not export by name', () => {
    for (const name of [
      'MongoPoolClearedError',
      'PoolClearedOnNetworkError',
      'MongoPoolClosedError',
      'MongoWaitQueueTimeoutError',
      'MongooseServerSelectionError',
    ]) {
      assert.equal(isStorageUnavailable(named(name)), true, name);
    }
  });

  it('recognises primary elections and shutdowns reported by the server', () => {
    for (const code of [10107, 189, 91, 11600, 11602, 13435, 13436]) {
      assert.equal(isStorageUnavailable(new mongo.MongoServerError({ message: 'not primary', code })), true, String(code));
    }
  });

  it('recognises mongoose refusing to queue while disconnected', () => {
    const refusal = named('MongooseError', {
      message: 'Cannot call `accounts.findOne()` before initial connection is complete if `bufferCommands = false`.',
    });
    const buffered = named('MongooseError', {
      message: 'Operation `accounts.findOne()` buffering timed out after 10000ms',
    });
    assert.equal(isStorageUnavailable(refusal), true);
    assert.equal(isStorageUnavailable(buffered), true);
  });

  it('follows `cause` through wrappers', () => {
    const wrapped = new Error('login failed', {
      cause: new Error('lookup', { cause: new mongo.MongoNetworkError('reset') }),
    });
    assert.equal(isStorageUnavailable(wrapped), true);
  });

  it('leaves every other failure alone', () => {
    const others: unknown[] = [
      new mongo.MongoServerError({ message: 'E11000 duplicate key error', code: 11000 }),
      new mongo.MongoServerError({ message: 'Unauthorized', code: 13 }),
      new mongo.MongoParseError('Invalid scheme'),
      named('MongooseError', { message: 'something else' }),
      Object.assign(new Error('not ours'), { code: 91 }),
      new TypeError('x is undefined'),
      'a string',
      undefined,
      null,
    ];
    for (const error of others) assert.equal(isStorageUnavailable(error), false, String(error));
  });

  it('stops on a cause cycle', () => {
    const a: Error = new Error('a');
    const b = new Error('b', { cause: a });
    Object.assign(a, { cause: b });
    assert.equal(isStorageUnavailable(a), false);
  });

  it('classifies what the real driver throws when nothing listens', async () => {
    const port = await closedPort();
    const started = Date.now();
    // The URI's timeout wins over the 5 s default, which keeps this test short.
    const uri = `mongodb://127.0.0.1:${port}/portcullis?serverSelectionTimeoutMS=300`;
    await assert.rejects(createMongoStore(uri), (error: unknown) => {
      assert.equal(isStorageUnavailable(error), true, String(error));
      return true;
    });
    assert.ok(Date.now() - started < 3000, 'fails fast');
  });
});
