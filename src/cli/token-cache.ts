/**
 * The personal admin token `portcullis login` obtained, cached in DATA_DIR/cli-token.json with
 * mode 0600 (the directory 0700 when created): the same directory the CLI already reads beside a
 * development server, no new variable. The file names the server it is for; a token is used only
 * against that base URL and only until it expires (ADMIN_TOKEN_TTL, 5 minutes by default).
 * `portcullis logout` deletes the file.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export const TOKEN_CACHE_FILE = 'cli-token.json';

export interface CachedToken {
  /** The base URL (OPERATOR_URL or --url) the token was obtained through. */
  url: string;
  accessToken: string;
  /** Epoch seconds. */
  expiresAt: number;
  scope: string;
  /** The person's account id (`sub`), for messages. */
  subject?: string;
}

export const tokenCachePath = (dataDir: string): string => join(dataDir, TOKEN_CACHE_FILE);

function isCachedToken(value: unknown): value is CachedToken {
  const candidate = value as Partial<CachedToken> | null;
  return (
    !!candidate &&
    typeof candidate === 'object' &&
    typeof candidate.url === 'string' &&
    typeof candidate.accessToken === 'string' &&
    typeof candidate.expiresAt === 'number' &&
    typeof candidate.scope === 'string'
  );
}

/** The cached token, or undefined when there is none or it cannot be read as one. */
export async function readCachedToken(dataDir: string): Promise<CachedToken | undefined> {
  let text: string;
  try {
    text = await readFile(tokenCachePath(dataDir), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(text);
    return isCachedToken(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the cache whole: a private temporary file renamed over the old one. */
export async function writeCachedToken(dataDir: string, token: CachedToken): Promise<string> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = tokenCachePath(dataDir);
  const temp = join(dataDir, `.cli-token.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(JSON.stringify(token));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
  // rename keeps the temporary file's 0600; set again in case a umask or an old file got in the way.
  await chmod(file, 0o600);
  return file;
}

/** Deletes the cache; true when there was one. */
export async function dropCachedToken(dataDir: string): Promise<boolean> {
  try {
    await unlink(tokenCachePath(dataDir));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
