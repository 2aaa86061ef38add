import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration } from '../../src/config/duration.ts';
import { ConfigError, loadConfig } from '../../src/config/index.ts';

const KEY = Buffer.alloc(32, 7).toString('base64url');
const COOKIE = 'c'.repeat(40);

describe('configuration', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.issuer, 'http://localhost:3000');
    assert.equal(config.dataDir, './data');
    assert.deepEqual(config.argon2, { memoryCost: 19456, timeCost: 2, parallelism: 1 });
    assert.equal(config.keys.rotationInterval, 30 * 86400);
  });

  it('parses durations', () => {
    assert.equal(parseDuration('90s'), 90);
    assert.equal(parseDuration('15m'), 900);
    assert.equal(parseDuration('12h'), 43200);
    assert.equal(parseDuration('30d'), 2592000);
    assert.equal(parseDuration('42'), 42);
    assert.equal(parseDuration('soon'), undefined);
  });

  it('names the bad variable', () => {
    assert.throws(() => loadConfig({ PORT: 'eighty' }), /PORT/);
    assert.throws(() => loadConfig({ KEY_ROTATION_INTERVAL: 'often' }), /KEY_ROTATION_INTERVAL/);
    assert.throws(() => loadConfig({ ISSUER: 'not a url' }), /ISSUER/);
    assert.throws(() => loadConfig({ CORS_ORIGINS: 'https://ok.example.com,https://bad.example.com/path' }), /CORS_ORIGINS/);
    assert.throws(() => loadConfig({ KEY_ENCRYPTION_KEYS: 'short' }), /KEY_ENCRYPTION_KEYS/);
    assert.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL/);
  });

  describe('production refuses unsafe settings', () => {
    const safe = { NODE_ENV: 'production', ISSUER: 'https://id.example.com', COOKIE_KEYS: COOKIE, KEY_ENCRYPTION_KEYS: KEY, TRUST_PROXY: '10.0.0.0/8' };

    it('accepts a safe production configuration', () => {
      assert.equal(loadConfig(safe).production, true);
    });
    it('refuses an http issuer that is not localhost', () => {
      assert.throws(
        () => loadConfig({ ...safe, ISSUER: 'http://id.example.com' }),
        (error: unknown) => error instanceof ConfigError && /ISSUER/.test(error.message),
      );
      assert.doesNotThrow(() => loadConfig({ ...safe, ISSUER: 'http://localhost:3000' }));
    });
    it('refuses an https issuer without TRUST_PROXY: Portcullis speaks plain http and needs a proxy that says https', () => {
      const { TRUST_PROXY: _, ...withoutProxy } = safe;
      assert.throws(
        () => loadConfig(withoutProxy),
        (error: unknown) => error instanceof ConfigError && /TRUST_PROXY/.test(error.message),
      );
      assert.throws(() => loadConfig({ ...safe, TRUST_PROXY: 'false' }), /TRUST_PROXY/);
      assert.doesNotThrow(() => loadConfig({ ...safe, TRUST_PROXY: 'true' }));
      assert.doesNotThrow(() => loadConfig({ ...withoutProxy, ISSUER: 'http://localhost:3000' }), 'a local http issuer needs no proxy');
    });
    it('refuses missing or short cookie keys', () => {
      assert.throws(() => loadConfig({ ...safe, COOKIE_KEYS: '' }), /COOKIE_KEYS/);
      assert.throws(() => loadConfig({ ...safe, COOKIE_KEYS: 'short' }), /COOKIE_KEYS/);
    });
    it('refuses a missing key-encryption key', () => {
      assert.throws(() => loadConfig({ ...safe, KEY_ENCRYPTION_KEYS: '' }), /KEY_ENCRYPTION_KEYS/);
    });
  });
});
