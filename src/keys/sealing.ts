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
