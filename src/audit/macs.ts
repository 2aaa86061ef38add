/**
 * The MACs of the stored trail (issue 17). Key: HKDF-SHA-256 from the first KEY_ENCRYPTION_KEYS
 * entry with its own info string, so it is never the sealing key itself and a new first entry
 * starts a new key (records written before keep verifying only while that entry is still first:
 * see docs/audit.md, "rotating the key").
 *
 * - `personalMac` = HMAC over the personal fields (ip, userAgent and PERSONAL_AUDIT_FIELDS of
 *   detail), so an erasure can delete them and the record still verifies;
 * - `mac` = HMAC over every other field (detail without the personal keys) plus personalMac,
 *   prev, chain and seq. Everything but `mac` and the personal fields is covered by denial, not by
 *   a list, so a field added to records later is covered without touching this file.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { type AuditRecord, PERSONAL_AUDIT_FIELDS } from '../storage/port.ts';
import { canonicalJson } from './canonical.ts';

const INFO = 'portcullis audit trail mac v1';
const PERSONAL_DETAIL = new Set<string>(PERSONAL_AUDIT_FIELDS);
/** Top-level fields that are personal, or not part of what the MAC protects. */
const NOT_COVERED = new Set(['mac', 'ip', 'userAgent', 'expiresAt']);

export interface AuditMacs {
  personalMac(record: AuditRecord): string;
  mac(record: AuditRecord): string;
  /** True when `record.mac` (and, while the personal fields are still there, `personalMac`) match. */
  verify(record: AuditRecord): boolean;
}

export function hasPersonalFields(record: AuditRecord): boolean {
  if (record.ip !== undefined || record.userAgent !== undefined) return true;
  return Object.keys(record.detail ?? {}).some((key) => PERSONAL_DETAIL.has(key));
}

function personalPart(record: AuditRecord): Record<string, unknown> {
  const detail: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record.detail ?? {})) if (PERSONAL_DETAIL.has(key)) detail[key] = value;
  return { ip: record.ip, userAgent: record.userAgent, detail };
}

function coveredPart(record: AuditRecord): Record<string, unknown> {
  const covered: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (!NOT_COVERED.has(key)) covered[key] = value;
  if (record.detail) {
    const detail: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(record.detail)) if (!PERSONAL_DETAIL.has(key)) detail[key] = value;
    covered.detail = detail;
  }
  return covered;
}

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function createAuditMacs(keyEncryptionKeys: readonly string[]): AuditMacs {
  const [first] = keyEncryptionKeys;
  if (!first) throw new Error('the audit trail needs a key-encryption key');
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(first, 'base64url'), Buffer.alloc(0), INFO, 32));
  // Domain separation: a personal MAC can never stand in for a record MAC.
  const hmac = (domain: string, value: unknown) => createHmac('sha256', key).update(`${domain}\n`).update(canonicalJson(value)).digest('base64url');
  const macs: AuditMacs = {
    personalMac: (record) => hmac('personal', personalPart(record)),
    mac: (record) => hmac('record', coveredPart(record)),
    verify(record) {
      if (typeof record.mac !== 'string' || typeof record.personalMac !== 'string') return false;
      if (hasPersonalFields(record) && !same(macs.personalMac(record), record.personalMac)) return false;
      return same(macs.mac(record), record.mac);
    },
  };
  return macs;
}
