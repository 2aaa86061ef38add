import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/index.ts';

describe('ARGON2_CONCURRENCY', () => {
  it('defaults to one hash per core, leaving one thread-pool worker free', () => {
    assert.equal(loadConfig({}).passwordHashConcurrency, Math.max(1, Math.min(availableParallelism(), 3)));
    assert.equal(loadConfig({ UV_THREADPOOL_SIZE: '2' }).passwordHashConcurrency, 1);
    assert.equal(loadConfig({ UV_THREADPOOL_SIZE: '64' }).passwordHashConcurrency, availableParallelism());
  });

  it('takes an explicit value and refuses nonsense', () => {
    assert.equal(loadConfig({ ARGON2_CONCURRENCY: '5' }).passwordHashConcurrency, 5);
    assert.throws(() => loadConfig({ ARGON2_CONCURRENCY: '0' }), ConfigError);
    assert.throws(() => loadConfig({ ARGON2_CONCURRENCY: 'many' }), ConfigError);
  });
});
