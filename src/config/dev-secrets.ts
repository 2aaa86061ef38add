/**
 * Outside production, missing COOKIE_KEYS and KEY_ENCRYPTION_KEYS are generated once and kept in
 * DATA_DIR/dev-secrets.json (mode 0600), so `npm start` works on a fresh machine and restarts keep
 * sessions and keys. Production refuses to start without them (config/index.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from './index.ts';

export interface Secrets {
  cookieKeys: string[];
  keyEncryptionKeys: string[];
  generated: boolean;
}

export async function resolveSecrets(config: Config): Promise<Secrets> {
  if (config.cookieKeys.length && config.keyEncryptionKeys.length) {
    return { cookieKeys: config.cookieKeys, keyEncryptionKeys: config.keyEncryptionKeys, generated: false };
  }
  if (config.production) throw new Error('COOKIE_KEYS and KEY_ENCRYPTION_KEYS are required in production');
  const file = join(config.dataDir, 'dev-secrets.json');
  let stored: { cookieKeys: string[]; keyEncryptionKeys: string[] } | undefined;
  try {
    stored = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    stored = undefined;
  }
  if (!stored) {
    stored = { cookieKeys: [randomBytes(32).toString('base64url')], keyEncryptionKeys: [randomBytes(32).toString('base64url')] };
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    await writeFile(file, JSON.stringify(stored), { mode: 0o600 });
  }
  return {
    cookieKeys: config.cookieKeys.length ? config.cookieKeys : stored.cookieKeys,
    keyEncryptionKeys: config.keyEncryptionKeys.length ? config.keyEncryptionKeys : stored.keyEncryptionKeys,
    generated: true,
  };
}
