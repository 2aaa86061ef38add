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
