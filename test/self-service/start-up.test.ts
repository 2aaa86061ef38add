/**
 * Start-up and logs: a production start where PASSWORD_RESET defaulted to off (no SMTP_URL) says
 * so once, and one that chose it does not; the secret segment of a link path never reaches a log
 * line (the error handler logs the path of a request that failed).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Koa from 'koa';
import { createPortcullis } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import { errorHandler } from '../../src/security/error-handler.ts';
import { redactPath } from '../../src/security/redact-path.ts';
import { captureLogger } from '../support/log-capture.ts';
import { tempDir } from '../support/tmp.ts';

const PRODUCTION = {
  NODE_ENV: 'production',
  ISSUER: 'http://localhost:1',
  COOKIE_KEYS: 'k'.repeat(40),
  KEY_ENCRYPTION_KEYS: Buffer.alloc(32, 1).toString('base64url'),
  OPERATOR_TOKEN: 'operator-token-that-is-long-enough-0123456789',
  PASSWORD_BREACH_CHECK: 'off',
  ARGON2_MEMORY_KIB: '8192',
  ARGON2_TIME_COST: '1',
};

async function startWarnings(env: Record<string, string>): Promise<string[]> {
  const dir = await tempDir();
  const capture = captureLogger();
  try {
    const portcullis = await createPortcullis(loadConfig({ ...PRODUCTION, DATA_DIR: dir.path, ...env }), { logger: capture.logger });
    const reset = portcullis.passwordReset;
    await portcullis.close();
    assert.equal(reset === undefined, env.PASSWORD_RESET !== 'email');
    return capture.warnings().map((line) => line.msg);
  } finally {
    await dir.cleanup();
  }
}

describe('reset at start-up and in logs', () => {
  it('warns when a production start turned reset off for lack of SMTP_URL, not when the operator chose it', async () => {
    const defaulted = await startWarnings({});
    assert.equal(defaulted.filter((msg) => msg.startsWith('PASSWORD_RESET is off')).length, 1, defaulted.join('\n'));
    const chosen = await startWarnings({ PASSWORD_RESET: 'off' });
    assert.equal(chosen.filter((msg) => msg.startsWith('PASSWORD_RESET')).length, 0, chosen.join('\n'));
  });

  it('redacts the token segment of link paths, and only that', () => {
    const token = 'Q'.repeat(43);
    assert.equal(redactPath(`/password/reset/${token}`), '/password/reset/[redacted]');
    assert.equal(redactPath(`/email/verify/${token}/extra`), '/email/verify/[redacted]/extra');
    assert.equal(redactPath('/password/forgot'), '/password/forgot');
    assert.equal(redactPath(`/account/${token}`), `/account/${token}`);
  });

  it('a failed request on a link page logs its path without the token', async () => {
    const capture = captureLogger('error');
    const app = new Koa();
    app.use(
      errorHandler(
        capture.logger,
        async () => undefined,
        () => true,
      ),
    );
    app.use(() => {
      throw new Error('boom');
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const token = 'Z'.repeat(43);
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/password/reset/${token}`);
      assert.equal(response.status, 500);
    } finally {
      server.close();
    }
    const line = capture.lines.find((entry) => entry.msg === 'unhandled error');
    assert.equal(line?.path, '/password/reset/[redacted]');
    assert.ok(!JSON.stringify(capture.lines).includes(token));
  });
});
