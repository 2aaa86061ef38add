/**
 * Backup codes: 10 per set, 12 characters of Crockford's base32 (digits and letters without
 * I, L, O, U; typing O, I or L is read as 0, 1, 1), so 60 bits each. They are stored as SHA-256
 * hashes salted with the factor id: 60 random bits make guessing from a stolen hash cost ~2^59
 * hashes per code, and the salt stops one computation from serving every account. A slow hash
 * would buy little against random codes of this length and slow every sign-in that uses one.
 */
import { createHash, randomInt } from 'node:crypto';

export const BACKUP_CODE_COUNT = 10;
/** At or below this many codes left the person is warned to make new ones. */
export const BACKUP_CODES_LOW = 3;

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const LENGTH = 12;

export function generateBackupCodes(count = BACKUP_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    let code = '';
    for (let index = 0; index < LENGTH; index += 1) code += ALPHABET[randomInt(ALPHABET.length)];
    return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
  });
}

/** Upper-cases, drops spaces and dashes and reads look-alikes, so "abcd efgh-jko1" is "ABCD-EFGH-JK01". */
export function normaliseBackupCode(input: string): string | undefined {
  const code = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (code.length !== LENGTH) return undefined;
  for (const char of code) if (!ALPHABET.includes(char)) return undefined;
  return code;
}

export function hashBackupCode(factorId: string, normalised: string): string {
  return createHash('sha256').update(`${factorId}:${normalised}`).digest('base64url');
}
