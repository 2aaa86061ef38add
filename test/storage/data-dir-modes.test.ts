/** DATA_DIR that other users can read: tightened when the server may, a refusal to start when not. */
import assert from 'node:assert/strict';
import { chmod, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type ModeFs, secureDataDir } from '../../src/storage/embedded/permissions.ts';
import { tempDir } from '../support/tmp.ts';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups) await cleanup();
});

async function looseDir(): Promise<string> {
  const dir = await tempDir();
  cleanups.push(dir.cleanup);
  await writeFile(join(dir.path, 'oidc-RefreshToken.db'), '', { mode: 0o644 });
  await writeFile(join(dir.path, 'notes.txt'), '', { mode: 0o644 });
  await chmod(dir.path, 0o755);
  return dir.path;
}

describe('DATA_DIR modes at start', () => {
  it('restricts a directory and store files that other users can read, and says so', async () => {
    const dir = await looseDir();
    const warnings: string[] = [];
    await secureDataDir(dir, (message) => warnings.push(message));
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    assert.equal((await stat(join(dir, 'oidc-RefreshToken.db'))).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, 'notes.txt'))).mode & 0o777, 0o644, 'files that are not the store are left alone');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] as string, /oidc-RefreshToken\.db 0644 -> 0600/);
    warnings.length = 0;
    await secureDataDir(dir, (message) => warnings.push(message));
    assert.deepEqual(warnings, [], 'nothing to say the second time');
  });

  it('refuses to start when a store file stays readable by others (the server cannot chmod it)', async () => {
    const dir = await looseDir();
    await chmod(dir, 0o700);
    const cannotChmod: ModeFs = {
      stat: (path) => stat(path),
      readdir: async (path) => (await import('node:fs/promises')).readdir(path),
      chmod: async () => {
        throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
      },
    };
    await assert.rejects(
      secureDataDir(dir, () => {}, cannotChmod),
      /oidc-RefreshToken\.db is accessible to other users \(mode 0644\)/,
    );
  });

  it('leaves a directory that does not exist yet to the store, which creates it 0700', async () => {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    await secureDataDir(join(dir.path, 'missing'), () => assert.fail('no warning'));
  });
});
