/**
 * DATA_DIR/dev-secrets.json holds the only copy of the development cookie and key-encryption
 * keys: every sealed signing key and TOTP secret depends on it. It is created once, never
 * replaced, and kept private to its owner.
 */
import assert from 'node:assert/strict';
import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { resolveSecrets } from '../../src/config/dev-secrets.ts';
import { loadConfig } from '../../src/config/index.ts';
import { startServer } from '../support/server.ts';
import { tempDir } from '../support/tmp.ts';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups) await cleanup();
});

async function dataDir(): Promise<string> {
  const dir = await tempDir();
  cleanups.push(dir.cleanup);
  return dir.path;
}

const configFor = (dir: string) => loadConfig({ NODE_ENV: 'test', DATA_DIR: dir });
const mode = async (file: string) => (await stat(file)).mode & 0o777;

describe('dev-secrets.json', () => {
  it('an empty dev-secrets.json stops the start-up, naming the file, and is left as it was', async () => {
    const dir = await dataDir();
    const file = join(dir, 'dev-secrets.json');
    await writeFile(file, '');
    const outcome = await startServer({ dataDir: dir }).then(
      async (server) => {
        await server.close();
        return undefined;
      },
      (error: Error) => error,
    );
    assert.ok(outcome, 'the server must not start');
    assert.ok(outcome.message.includes(file), `the message names the file: ${outcome.message}`);
    assert.match(outcome.message, /cannot be (read|parsed)/);
    assert.equal(await readFile(file, 'utf8'), '', 'not replaced by new secrets');
  });

  it('a dev-secrets.json that is not the expected shape stops the start-up and is left as it was', async () => {
    for (const content of ['{"cookieKeys":["abc"]', '{"cookieKeys":[],"keyEncryptionKeys":["x"]}', '[]', 'null']) {
      const dir = await dataDir();
      const file = join(dir, 'dev-secrets.json');
      await writeFile(file, content);
      await assert.rejects(resolveSecrets(configFor(dir)), (error: Error) => error.message.includes(file));
      assert.equal(await readFile(file, 'utf8'), content);
    }
  });

  it('a dev-secrets.json readable by others is made 0600 at every start', async () => {
    const dir = await dataDir();
    const file = join(dir, 'dev-secrets.json');
    const first = await resolveSecrets(configFor(dir));
    assert.equal(await mode(file), 0o600, 'created private');
    await chmod(file, 0o644);
    const second = await resolveSecrets(configFor(dir));
    assert.equal(await mode(file), 0o600, 'made private again');
    assert.deepEqual(second.keyEncryptionKeys, first.keyEncryptionKeys, 'and still the same secrets');
  });

  it('dev-secrets.json is created once, complete, even when two starts race for it', async () => {
    const dir = await dataDir();
    const results = await Promise.all(Array.from({ length: 6 }, () => resolveSecrets(configFor(dir))));
    const written = JSON.parse(await readFile(join(dir, 'dev-secrets.json'), 'utf8')) as { keyEncryptionKeys: string[]; cookieKeys: string[] };
    for (const result of results) {
      assert.deepEqual(result.keyEncryptionKeys, written.keyEncryptionKeys, 'every start uses the one file that was kept');
      assert.deepEqual(result.cookieKeys, written.cookieKeys);
    }
    assert.deepEqual(await readdir(dir), ['dev-secrets.json'], 'no temporary file is left behind');
  });
});

describe('the generated OPERATOR_TOKEN in dev-secrets.json', () => {
  const KEY = Buffer.alloc(32, 7).toString('base64url');
  const adminKeys = (url: string, token: string) =>
    fetch(`${url}/admin/v1/keys`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });

  it('a first start outside production writes a break-glass token of at least 32 characters that the admin API accepts', async () => {
    const dir = await dataDir();
    const server = await startServer({ dataDir: dir });
    try {
      const written = JSON.parse(await readFile(join(dir, 'dev-secrets.json'), 'utf8')) as { operatorToken?: string };
      assert.ok(written.operatorToken && written.operatorToken.length >= 32, 'a long token is in the file');
      assert.equal((await adminKeys(server.url, written.operatorToken)).status, 200);
      assert.equal((await adminKeys(server.url, `${written.operatorToken}x`)).status, 401);
      assert.equal(await mode(join(dir, 'dev-secrets.json')), 0o600);
    } finally {
      await server.close();
    }
  });

  it('a dev-secrets.json written before the token existed gets it added, every other field kept as it was, nothing left behind', async () => {
    const dir = await dataDir();
    const file = join(dir, 'dev-secrets.json');
    const old = { cookieKeys: ['old-cookie-key-that-is-long-enough-000'], keyEncryptionKeys: [KEY] };
    await writeFile(file, JSON.stringify(old), { mode: 0o600 });
    const results = await Promise.all(Array.from({ length: 4 }, () => resolveSecrets(configFor(dir))));
    const written = JSON.parse(await readFile(file, 'utf8')) as typeof old & { operatorToken?: string };
    assert.deepEqual(written.cookieKeys, old.cookieKeys);
    assert.deepEqual(written.keyEncryptionKeys, old.keyEncryptionKeys);
    assert.ok(written.operatorToken && written.operatorToken.length >= 32);
    for (const result of results) {
      assert.equal(result.operatorToken, written.operatorToken, 'starts that raced to add it agree on the one in the file');
      assert.deepEqual(result.keyEncryptionKeys, old.keyEncryptionKeys);
    }
    assert.deepEqual(await readdir(dir), ['dev-secrets.json'], 'no temporary file is left behind');
    assert.equal(await mode(file), 0o600);
    assert.equal((await resolveSecrets(configFor(dir))).operatorToken, written.operatorToken, 'and it stays the same at the next start');
  });

  it('a data directory from before the token keeps its signing keys and sessions: the restarted server opens them and takes the token', async () => {
    const dir = await dataDir();
    const first = await startServer({ dataDir: dir });
    const kids = (await first.portcullis.keys.list()).map((key) => key.kid).sort();
    await first.close();
    // What today's main leaves behind: the file without operatorToken.
    const file = join(dir, 'dev-secrets.json');
    const { operatorToken: _dropped, ...before } = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify(before));
    const second = await startServer({ dataDir: dir });
    try {
      assert.deepEqual((await second.portcullis.keys.list()).map((key) => key.kid).sort(), kids, 'the same sealed keys opened');
      const { operatorToken } = JSON.parse(await readFile(file, 'utf8')) as { operatorToken: string };
      assert.equal((await adminKeys(second.url, operatorToken)).status, 200);
    } finally {
      await second.close();
    }
  });

  it('with OPERATOR_TOKEN set no token is generated and an existing file is left byte for byte', async () => {
    const dir = await dataDir();
    const file = join(dir, 'dev-secrets.json');
    const old = JSON.stringify({ cookieKeys: ['old-cookie-key-that-is-long-enough-000'], keyEncryptionKeys: [KEY] });
    await writeFile(file, old);
    const secrets = await resolveSecrets(loadConfig({ NODE_ENV: 'test', DATA_DIR: dir, OPERATOR_TOKEN: 'an-operator-token-that-is-long-enough-0123' }));
    assert.equal(secrets.operatorToken, undefined);
    assert.equal(await readFile(file, 'utf8'), old);
  });

  it('production never generates a token nor writes the file', async () => {
    const dir = await dataDir();
    const production = loadConfig({
      NODE_ENV: 'production',
      DATA_DIR: dir,
      ISSUER: 'https://id.example.com',
      TRUST_PROXY: 'true',
      COOKIE_KEYS: 'a-cookie-key-that-is-long-enough-for-production',
      KEY_ENCRYPTION_KEYS: KEY,
    });
    const secrets = await resolveSecrets(production);
    assert.equal(secrets.operatorToken, undefined);
    assert.deepEqual(await readdir(dir), []);
  });

  it('a token in the file that is too short stops the start-up instead of being used', async () => {
    const dir = await dataDir();
    const file = join(dir, 'dev-secrets.json');
    const content = JSON.stringify({ cookieKeys: ['c'], keyEncryptionKeys: [KEY], operatorToken: 'short' });
    await writeFile(file, content);
    await assert.rejects(resolveSecrets(configFor(dir)), (error: Error) => error.message.includes(file));
    assert.equal(await readFile(file, 'utf8'), content);
  });
});
