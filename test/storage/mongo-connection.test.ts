import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONNECTION_DEFAULTS, connectionOptions } from '../../src/storage/mongo/connection.ts';

describe('mongo connection options', () => {
  it('fails fast instead of buffering and never builds indexes implicitly', () => {
    const options = connectionOptions('mongodb://db:27017/portcullis');
    assert.equal(options.bufferCommands, false);
    assert.equal(options.autoIndex, false);
    assert.equal(options.autoCreate, false);
  });

  it('applies the documented defaults', () => {
    const options = connectionOptions('mongodb://db:27017/portcullis?replicaSet=rs0');
    assert.equal(options.maxPoolSize, CONNECTION_DEFAULTS.maxPoolSize);
    assert.equal(options.serverSelectionTimeoutMS, 5000);
    assert.equal(options.socketTimeoutMS, CONNECTION_DEFAULTS.socketTimeoutMS);
    assert.equal(options.retryWrites, true);
  });

  it('lets the connection string win, whatever its case', () => {
    const options = connectionOptions('mongodb://db/p?MAXPOOLSIZE=50&serverSelectionTimeoutMS=100&retryWrites=false');
    assert.equal('maxPoolSize' in options, false);
    assert.equal('serverSelectionTimeoutMS' in options, false);
    assert.equal('retryWrites' in options, false);
    assert.equal(options.socketTimeoutMS, CONNECTION_DEFAULTS.socketTimeoutMS);
  });

  it('takes overrides and a database name', () => {
    const options = connectionOptions('mongodb://db/p', { overrides: { socketTimeoutMS: 0 }, dbName: 'other' });
    assert.equal(options.socketTimeoutMS, 0);
    assert.equal(options.dbName, 'other');
  });
});
