/**
 * What of an event's `detail` may leave the bus: only the keys its catalogue entry lists
 * (catalogue.ts), and no value that looks like a secret. A string word of 16 or more characters
 * that looks random (letters and digits mixed, or a base64-like mix of cases) is cut to its first
 * 8 characters, as refresh-token ids already are: enough to correlate two lines, useless to
 * replay. A JWT, an opaque token, a client secret or a hex digest pasted into a message therefore
 * reaches no sink whole. Identifier keys (grant ids, session uids, key ids, actor and target
 * references) are exempt: they name things, and tools correlate them whole.
 *
 * Emit is on the token hot path (`token.issued` on every token response): the common case, a
 * detail whose keys are all allowed and whose values are short, returns the input object itself.
 */
const IDENTIFIER_KEYS = new Set(['grantId', 'uid', 'kid', 'kids', 'replaced', 'issuedTo', 'target', 'actor', 'clients', 'fields']);

/** 16: shorter random strings are not worth stealing; longer words of plain language are rare. */
const MIN_SECRET_LENGTH = 16;
const KEEP = 8;
const WORD = /[A-Za-z0-9+_\-.~]{16,}/g;
const MAX_DEPTH = 3;
const MAYBE_RANDOM = /[\dA-Z]/;

function looksRandom(word: string): boolean {
  const digits = /\d/.test(word);
  const letters = /[A-Za-z]/.test(word);
  if (digits) return true; // digits with letters (tokens, hex, base64) or digits only (long numbers)
  if (!letters) return false;
  // No digit: random base64 is about half upper case, camelCase words (AuthorizationCode) far less.
  const upper = word.replace(/[^A-Z]/g, '').length;
  const lower = word.replace(/[^a-z]/g, '').length;
  return word.length >= 20 && upper >= 4 && lower >= 4 && upper / (upper + lower) >= 0.25;
}

/** The string with every random-looking long word cut to its first 8 characters. */
export function maskSecrets(value: string): string {
  // Fast path for the hot events: a string without a digit or a capital holds no random-looking word.
  if (value.length < MIN_SECRET_LENGTH || !MAYBE_RANDOM.test(value)) return value;
  return value.replace(WORD, (word) => (looksRandom(word) ? `${word.slice(0, KEEP)}…` : word));
}

function clean(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return undefined;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item) => {
      const next = clean(item, depth + 1);
      if (next !== item) changed = true;
      return next;
    });
    return changed ? out : value;
  }
  let out: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const next = clean(item, depth + 1);
    if (next !== item) out ??= { ...(value as Record<string, unknown>) };
    if (out) out[key] = next;
  }
  return out ?? value;
}

/**
 * The detail as it may be recorded. A type missing from the catalogue (only tests emit those:
 * test/audit/catalogue.test.ts keeps src/ covered) keeps its keys, values still masked.
 */
export function filterDetail(entry: { allowed: ReadonlySet<string> } | undefined, detail: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key in detail) {
    const value = detail[key];
    const allowed = entry === undefined || entry.allowed.has(key);
    const next = !allowed ? undefined : IDENTIFIER_KEYS.has(key) ? value : clean(value, 0);
    if (allowed && next === value) {
      if (out) out[key] = value;
      continue;
    }
    if (!out) {
      out = {};
      for (const earlier in detail) {
        if (earlier === key) break;
        out[earlier] = detail[earlier];
      }
    }
    if (allowed && next !== undefined) out[key] = next;
  }
  return out ?? detail;
}
