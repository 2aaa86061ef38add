/**
 * Outside production, missing COOKIE_KEYS and KEY_ENCRYPTION_KEYS are generated once and kept in
 * DATA_DIR/dev-secrets.json (mode 0600), so `npm start` works on a fresh machine and restarts keep
 * sessions and keys. Production refuses to start without them (config/index.ts). A missing
 * OPERATOR_TOKEN is generated into the same file (`operatorToken`), so the CLI run beside the
 * server (same DATA_DIR) can reach the admin API on a first run; production never generates one.
 *
 * The file is the only copy of the keys that seal the signing keys and TOTP secrets, so it is
 * never replaced: it is created only where none exists, appears complete or not at all (written
 * to a temporary file, flushed, then hard-linked into place, which fails if another start got
 * there first), and a file that exists but cannot be used stops the start-up instead of being
 * overwritten. Its mode is set to 0600 at every start, not only when it is created.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from './index.ts';

export interface Secrets {
  cookieKeys: string[];
  keyEncryptionKeys: string[];
  /** The cookie and key-encryption keys came from the file. */
  generated: boolean;
  /** The break-glass token from the file, when OPERATOR_TOKEN is unset outside production. */
  operatorToken?: string;
}

interface StoredSecrets {
  cookieKeys: string[];
  keyEncryptionKeys: string[];
  /** Absent in files written before the admin API (issue 13); added at the next start. */
  operatorToken?: string;
}

export const DEV_SECRETS_FILE = 'dev-secrets.json';

/** 32 random bytes, base64url: 43 characters, above OPERATOR_TOKEN's floor of 32. */
const freshToken = () => randomBytes(32).toString('base64url');

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
  const token = candidate?.operatorToken;
  if (
    !candidate ||
    typeof candidate !== 'object' ||
    !isKeyList(candidate.cookieKeys) ||
    !isKeyList(candidate.keyEncryptionKeys) ||
    (token !== undefined && (typeof token !== 'string' || token.length < 32))
  ) {
    throw new DevSecretsError(
      `${file} exists but cannot be parsed (expected {"cookieKeys":[…],"keyEncryptionKeys":[…]}); ` +
        'it is left untouched: restore it from a backup, or remove it to start over with new keys ' +
        '(data sealed with the old keys will not open)',
    );
  }
  return { cookieKeys: candidate.cookieKeys, keyEncryptionKeys: candidate.keyEncryptionKeys, ...(token ? { operatorToken: token } : {}) };
}

/** The file's text, or undefined when there is none. */
async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DevSecretsError(`${file} exists but cannot be read: ${(error as Error).message}`);
  }
}

/** Reads the file, or undefined when there is none. */
async function readExisting(file: string): Promise<StoredSecrets | undefined> {
  const text = await readText(file);
  if (text === undefined) return undefined;
  const stored = parse(file, text);
  await chmod(file, 0o600);
  return stored;
}

/** Creates the file with fresh secrets unless it exists; returns whichever secrets the file holds. */
async function createOnce(dir: string, file: string): Promise<StoredSecrets> {
  const fresh: StoredSecrets = {
    cookieKeys: [randomBytes(32).toString('base64url')],
    keyEncryptionKeys: [randomBytes(32).toString('base64url')],
    operatorToken: freshToken(),
  };
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = await writeTemp(dir, JSON.stringify(fresh));
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

/** A complete, flushed, private copy of `text` beside the file, ready to be linked or renamed into place. */
async function writeTemp(dir: string, text: string): Promise<string> {
  const temp = join(dir, `.dev-secrets.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return temp;
}

/**
 * Adds `operatorToken` to a file written before it existed. The file holds the only copy of the
 * key-encryption keys, so it is replaced whole by rename(2) (atomic: readers see the old file or
 * the new one, never a torn one) with every field it had kept as it was. The token is derived
 * from the first key-encryption key (HMAC-SHA256) instead of drawn at random, so two starts that
 * race to add it write the same bytes and agree on the token whichever rename lands last.
 */
async function addOperatorToken(dir: string, file: string, stored: StoredSecrets): Promise<StoredSecrets> {
  const original = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  if (typeof original.operatorToken === 'string') return parse(file, JSON.stringify(original));
  const key = stored.keyEncryptionKeys[0] as string;
  const operatorToken = createHmac('sha256', key).update('portcullis dev-secrets operatorToken').digest('base64url');
  const temp = await writeTemp(dir, JSON.stringify({ ...original, operatorToken }));
  try {
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
  return { ...stored, operatorToken };
}

/**
 * The generated break-glass token, for the CLI run beside a development server; undefined when
 * there is no file or no token in it. Never written here: only the server creates the file.
 */
export async function readDevOperatorToken(dataDir: string): Promise<string | undefined> {
  const file = join(dataDir, DEV_SECRETS_FILE);
  const text = await readText(file);
  return text === undefined ? undefined : parse(file, text).operatorToken;
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
  const keysGiven = config.cookieKeys.length > 0 && config.keyEncryptionKeys.length > 0;
  const needToken = !config.production && !config.operator.token;
  if (keysGiven && !needToken) {
    return { cookieKeys: config.cookieKeys, keyEncryptionKeys: config.keyEncryptionKeys, generated: false };
  }
  if (!keysGiven && config.production) throw new Error('COOKIE_KEYS and KEY_ENCRYPTION_KEYS are required in production');
  const file = join(config.dataDir, DEV_SECRETS_FILE);
  let stored = (await readExisting(file)) ?? (await createOnce(config.dataDir, file));
  if (needToken && !stored.operatorToken) stored = await addOperatorToken(config.dataDir, file, stored);
  return {
    cookieKeys: config.cookieKeys.length ? config.cookieKeys : stored.cookieKeys,
    keyEncryptionKeys: config.keyEncryptionKeys.length ? config.keyEncryptionKeys : stored.keyEncryptionKeys,
    generated: !keysGiven,
    ...(needToken && stored.operatorToken ? { operatorToken: stored.operatorToken } : {}),
  };
}
