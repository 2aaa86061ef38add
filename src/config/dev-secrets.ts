/**
 * Outside production, missing COOKIE_KEYS and KEY_ENCRYPTION_KEYS are generated once and kept in
 * DATA_DIR/dev-secrets.json (mode 0600), so `npm start` works on a fresh machine and restarts keep
 * sessions and keys. Production refuses to start without them (config/index.ts).
 *
 * The file is the only copy of the keys that seal the signing keys and TOTP secrets, so it is
 * never replaced: it is created only where none exists, appears complete or not at all (written
 * to a temporary file, flushed, then hard-linked into place, which fails if another start got
 * there first), and a file that exists but cannot be used stops the start-up instead of being
 * overwritten. Its mode is set to 0600 at every start, not only when it is created.
 */
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from './index.ts';

export interface Secrets {
  cookieKeys: string[];
  keyEncryptionKeys: string[];
  generated: boolean;
}

interface StoredSecrets {
  cookieKeys: string[];
  keyEncryptionKeys: string[];
}

export class DevSecretsError extends Error {
  override name = 'DevSecretsError';
}

const isKeyList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string' && item.length > 0);

function parse(file: string, text: string): StoredSecrets {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const candidate = value as Partial<StoredSecrets> | null | undefined;
  if (!candidate || typeof candidate !== 'object' || !isKeyList(candidate.cookieKeys) || !isKeyList(candidate.keyEncryptionKeys)) {
    throw new DevSecretsError(
      `${file} exists but cannot be parsed (expected {"cookieKeys":[…],"keyEncryptionKeys":[…]}); ` +
        'it is left untouched: restore it from a backup, or remove it to start over with new keys ' +
        '(data sealed with the old keys will not open)',
    );
  }
  return { cookieKeys: candidate.cookieKeys, keyEncryptionKeys: candidate.keyEncryptionKeys };
}

/** Reads the file, or undefined when there is none. */
async function readExisting(file: string): Promise<StoredSecrets | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DevSecretsError(`${file} exists but cannot be read: ${(error as Error).message}`);
  }
  const stored = parse(file, text);
  await chmod(file, 0o600);
  return stored;
}

/** Creates the file with fresh secrets unless it exists; returns whichever secrets the file holds. */
async function createOnce(dir: string, file: string): Promise<StoredSecrets> {
  const fresh: StoredSecrets = {
    cookieKeys: [randomBytes(32).toString('base64url')],
    keyEncryptionKeys: [randomBytes(32).toString('base64url')],
  };
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.dev-secrets.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(JSON.stringify(fresh));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    // link(2) is the atomic "create if absent" for a complete file: EEXIST means another start won.
    await link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temp);
  }
  await syncDirectory(dir);
  const kept = await readExisting(file);
  if (!kept) throw new DevSecretsError(`${file} disappeared while it was being created`);
  return kept;
}

/** Makes the new directory entry durable (a crash right after must not lose the file). */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the data itself is already flushed.
  } finally {
    await handle.close();
  }
}

export async function resolveSecrets(config: Config): Promise<Secrets> {
  if (config.cookieKeys.length && config.keyEncryptionKeys.length) {
    return { cookieKeys: config.cookieKeys, keyEncryptionKeys: config.keyEncryptionKeys, generated: false };
  }
  if (config.production) throw new Error('COOKIE_KEYS and KEY_ENCRYPTION_KEYS are required in production');
  const file = join(config.dataDir, 'dev-secrets.json');
  const stored = (await readExisting(file)) ?? (await createOnce(config.dataDir, file));
  return {
    cookieKeys: config.cookieKeys.length ? config.cookieKeys : stored.cookieKeys,
    keyEncryptionKeys: config.keyEncryptionKeys.length ? config.keyEncryptionKeys : stored.keyEncryptionKeys,
    generated: true,
  };
}
