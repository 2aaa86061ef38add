/** The key-related settings: defaults, validation with the variable named. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/index.ts';

describe('key configuration', () => {
  it('defaults to ES256 and RS256, a 30-day interval, a 10-minute JWKS cache and a 30 s sync', () => {
    const config = loadConfig({});
    assert.deepEqual(config.keys, { rotationInterval: 30 * 86400, jwksMaxAge: 600, algorithms: ['ES256', 'RS256'], syncInterval: 30 });
    assert.deepEqual(config.operator, { token: undefined, url: 'http://127.0.0.1:3000' });
  });

  it('adds PS256 and EdDSA on request and always keeps ES256 and RS256', () => {
    assert.deepEqual(loadConfig({ KEY_ALGORITHMS: 'EdDSA, PS256' }).keys.algorithms, ['ES256', 'RS256', 'EdDSA', 'PS256']);
    assert.throws(
      () => loadConfig({ KEY_ALGORITHMS: 'HS256' }),
      (error: unknown) => error instanceof ConfigError && /KEY_ALGORITHMS/.test(error.message),
    );
  });

  it('accepts short durations and refuses nonsense', () => {
    assert.equal(loadConfig({ KEY_ROTATION_INTERVAL: '90s' }).keys.rotationInterval, 90);
    assert.throws(() => loadConfig({ KEY_SYNC_INTERVAL: 'soon' }), /KEY_SYNC_INTERVAL/);
  });

  it('refuses an operator token shorter than 32 characters', () => {
    assert.throws(() => loadConfig({ OPERATOR_TOKEN: 'short' }), /OPERATOR_TOKEN/);
    const config = loadConfig({ OPERATOR_TOKEN: 'x'.repeat(32), OPERATOR_URL: 'https://id.internal:8443/' });
    assert.deepEqual(config.operator, { token: 'x'.repeat(32), url: 'https://id.internal:8443' });
  });
});
