/** `portcullis hash-password` refuses, offline, a password the policy's local rules refuse, naming each. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMANDS } from '../../src/cli/commands.ts';
import { type CliContext, runCli } from '../../src/cli/run.ts';
import { loadConfig } from '../../src/config/index.ts';

async function hashPassword(secret: string, env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const context: CliContext = {
    config: () => loadConfig({ ARGON2_MEMORY_KIB: '8192', ARGON2_TIME_COST: '1', OPERATOR_URL: 'http://127.0.0.1:9', ...env }),
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    readSecret: async () => secret,
  };
  return { code: await runCli(['hash-password'], COMMANDS, context), out, err };
}

describe('hash-password and the password policy', () => {
  it('prints every local rule a password fails, hashes nothing, exit 1', async () => {
    const result = await hashPassword('hunter2', { PASSWORD_REQUIRE: 'upper' });
    assert.equal(result.code, 1);
    assert.deepEqual(result.out, [], 'no hash printed');
    const text = result.err.join('\n');
    assert.match(text, /too_short: Use at least 15 characters\./);
    assert.match(text, /missing_upper: Include an upper-case letter\./);
    assert.match(text, /too_weak: /);
  });

  it('hashes a password that passes', async () => {
    const result = await hashPassword('correct horse battery staple');
    assert.equal(result.code, 0, result.err.join('\n'));
    assert.match(result.out[0] ?? '', /^\$argon2id\$/);
  });
});
