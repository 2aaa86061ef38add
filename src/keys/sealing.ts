/**
 * Secrets at rest (signing keys, TOTP secrets) are sealed with AES-256-GCM under a key from
 * KEY_ENCRYPTION_KEYS. The first key seals; every listed key can open, so the encryption key can be
 * rotated by prepending a new one. Each sealed value names its key by a short fingerprint.
 * Format: `v1.<fingerprint>.<iv>.<ciphertext>.<tag>` (base64url parts).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export interface Sealer {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

function fingerprint(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 8);
}

export function createSealer(encodedKeys: string[]): Sealer {
  const keys = encodedKeys.map((encoded) => Buffer.from(encoded, 'base64url'));
  const [primary] = keys;
  if (!primary || keys.some((key) => key.length !== 32)) {
    throw new Error('at least one 32-byte key-encryption key is required');
  }
  const byFingerprint = new Map(keys.map((key) => [fingerprint(key), key]));
  const primaryId = fingerprint(primary);

  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', primary, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return ['v1', primaryId, iv.toString('base64url'), ciphertext.toString('base64url'), tag.toString('base64url')].join('.');
    },
    open(sealed) {
      const [version, keyId, iv, ciphertext, tag] = sealed.split('.');
      if (version !== 'v1' || !keyId || !iv || !ciphertext || tag === undefined) throw new Error('not a sealed value');
      const key = byFingerprint.get(keyId);
      if (!key) throw new Error('sealed with a key-encryption key that is no longer configured');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}

/**
 * A sealer for values that are sealed and opened again and again in one process (a client's
 * secret on every token request, the session id an interaction refers to on every step of a
 * sign-in): what it opened or sealed is remembered, up to `size` entries, the oldest forgotten
 * first. Sealing the same text twice then gives the same sealed text, so a reader of the store
 * can tell two records hold the same value; use it only where the records say as much in clear
 * (the session uid beside the sealed session id) or where the value lives in one record only.
 * The clear values are in this process's memory anyway while they are used.
 */
export function rememberingSealer(sealer: Sealer, size: number): Sealer {
  const opened = new Map<string, string>();
  const sealed = new Map<string, string>();
  const keep = (map: Map<string, string>, key: string, value: string) => {
    if (map.size >= size) map.delete(map.keys().next().value as string);
    map.set(key, value);
  };
  return {
    seal(plaintext) {
      let text = sealed.get(plaintext);
      if (text === undefined) {
        text = sealer.seal(plaintext);
        keep(sealed, plaintext, text);
        keep(opened, text, plaintext);
      }
      return text;
    },
    open(text) {
      let plaintext = opened.get(text);
      if (plaintext === undefined) {
        plaintext = sealer.open(text);
        keep(opened, text, plaintext);
      }
      return plaintext;
    },
  };
}
