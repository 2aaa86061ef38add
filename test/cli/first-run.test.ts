/**
 * First run: while the store has no person who can sign in, start-up says how to create the first
 * administrator; once there is one it says nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIRST_RUN_HINT } from '../../src/accounts/first-run.ts';
import { captureLogger } from '../support/log-capture.ts';
import { DEFAULT_BOOTSTRAP, startServer } from '../support/server.ts';

describe('first run', () => {
  it('a store with no people logs how to create the first administrator', async () => {
    const { logger, lines } = captureLogger('info');
    const server = await startServer({ bootstrap: { ...DEFAULT_BOOTSTRAP, users: [] }, options: { logger } });
    try {
      assert.ok(lines.some((line) => line.msg === FIRST_RUN_HINT));
      assert.equal(FIRST_RUN_HINT, 'no people yet: create the first administrator with  npm run portcullis -- users add <name> --admin-role admin');
    } finally {
      await server.close();
    }
  });

  it('a store with people says nothing about a first administrator', async () => {
    const { logger, lines } = captureLogger('info');
    const server = await startServer({ options: { logger } });
    try {
      assert.ok(!lines.some((line) => line.msg === FIRST_RUN_HINT));
    } finally {
      await server.close();
    }
  });
});
