/**
 * DATA_DIR must be readable by the server's user only: its files hold hashed bearer records,
 * sealed client secrets and keys, argon2 hashes, audit trails. New directories and files are
 * created 0700/0600 (datastore.ts); this runs at every start for directories written before
 * that (nedb's defaults were 0755/0644, and an operator may have loosened them).
 *
 * Decision: what the server owns it tightens, with a warning naming what it changed (a backup
 * job or sidecar may have relied on reading them). What it cannot tighten (another owner, a
 * filesystem without POSIX modes) stops the start: serving on while other local users can read
 * the store is the exposure this exists to prevent, and the fix (chown, mount options) is the
 * operator's to make.
 */
import { chmod, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface ModeFs {
  stat(path: string): Promise<{ mode: number; isFile(): boolean; isDirectory(): boolean }>;
  chmod(path: string, mode: number): Promise<void>;
  readdir(path: string): Promise<string[]>;
}

const nodeFs: ModeFs = { stat, chmod, readdir };

/** Group or world may read, write or enter. */
const SHARED = 0o077;
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/** The store's own files: `<collection>.db` and nedb's `<collection>.db~` compaction temp file. */
const isStoreFile = (name: string) => name.endsWith('.db') || name.endsWith('.db~');

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

export async function secureDataDir(dir: string, warn: (message: string) => void, fs: ModeFs = nodeFs): Promise<void> {
  if (process.platform === 'win32') return; // No POSIX modes; access is the ACL's business.
  let info: Awaited<ReturnType<ModeFs['stat']>>;
  try {
    info = await fs.stat(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // Created 0700 by the store.
    throw error;
  }
  const targets: Array<{ path: string; mode: number }> = [];
  if (info.isDirectory()) targets.push({ path: dir, mode: DIR_MODE });
  for (const name of (await fs.readdir(dir)).filter(isStoreFile).sort()) {
    const path = join(dir, name);
    const file = await fs.stat(path);
    if (file.isFile() && file.mode & SHARED) targets.push({ path, mode: FILE_MODE });
  }
  const tightened: string[] = [];
  for (const target of targets) {
    const before = target.path === dir ? info.mode : (await fs.stat(target.path)).mode;
    if (!(before & SHARED)) continue;
    try {
      await fs.chmod(target.path, target.mode);
    } catch {
      // Reported below from the mode that is left.
    }
    const after = (await fs.stat(target.path)).mode;
    if (after & SHARED) {
      throw new Error(
        `DATA_DIR: ${target.path} is accessible to other users (mode ${octal(after)}) and the server cannot restrict it to ${octal(target.mode)}; ` +
          'make the server user its owner or fix the mode, then start again',
      );
    }
    tightened.push(`${target.path} ${octal(before)} -> ${octal(target.mode)}`);
  }
  if (tightened.length) warn(`DATA_DIR was readable by other users; restricted: ${tightened.join(', ')}`);
}
