/**
 * Is this password in the breach corpus? Have I Been Pwned's range API, with k-anonymity: the
 * SHA-1 of the password (NFKC, as it is hashed for storage) is computed here, and only its first
 * 5 hex characters leave the server (`GET <PASSWORD_BREACH_API><prefix>`). The API answers every
 * suffix it knows under that prefix (`SUFFIX:COUNT` lines; ~1,000 of them); with `Add-Padding:
 * true` it adds rows with count 0 so the size of the answer says nothing either, and those are
 * ignored. The comparison with the rest of the hash happens here.
 *
 * An answer that does not come within 1.5 s (whole body included), a status other than 200, a
 * body that is not range lines or is larger than 512 KiB is `unavailable`: logged (warn; never the
 * prefix) and counted, both in `unavailableCount` and through `onUnavailable` for the metrics.
 * What `unavailable` means (accept or refuse) is the caller's choice (PASSWORD_BREACH_FAILURE).
 *
 * Fetched ranges are cached for a day (range-cache.ts); concurrent lookups of one prefix share
 * one fetch. A failed fetch is never cached.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config/index.ts';
import type { Logger } from '../platform/logger.ts';
import { type Range, type RangeCache, rangeHas, toRange } from './range-cache.ts';
import type { BreachCheck, BreachVerdict } from './types.ts';

/** The budget of one lookup: a sign-in or a password change waits at most this long for the corpus. */
export const BREACH_BUDGET_MS = 1_500;
/** A real padded range is ~40 KiB; ten times that and more is not a range. */
export const MAX_RANGE_BYTES = 512 * 1024;
const USER_AGENT = 'Portcullis-password-breach-check (+https://github.com/portcullis)';

export type UnavailableReason = 'timeout' | 'network' | 'status' | 'malformed' | 'too_large';

export interface BreachClient extends BreachCheck {
  /** How many lookups could not be answered since start (read by the metrics). */
  readonly unavailableCount: number;
  close(): Promise<void>;
}

export interface BreachDeps {
  cache: RangeCache;
  logger: Logger;
  fetch?: typeof fetch;
  /** Called once per unavailable answer (the metrics module counts them). */
  onUnavailable?: (reason: UnavailableReason) => void;
}

class Unavailable extends Error {
  readonly reason: UnavailableReason;
  readonly status: number | undefined;
  constructor(reason: UnavailableReason, status?: number) {
    super(reason);
    this.reason = reason;
    this.status = status;
  }
}

/** Upper-case hex SHA-1 of the NFKC form: what the corpus is keyed by. */
export function passwordSha1(password: string): string {
  return createHash('sha1').update(password.normalize('NFKC'), 'utf8').digest('hex').toUpperCase();
}

const ROW = /^([0-9A-F]{35}):(\d{1,12})$/i;

/** The real rows (count > 0) of a range body; throws `malformed` on anything that is not a row. */
export function parseRange(body: string): Range {
  const breached: string[] = [];
  for (const line of body.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const match = ROW.exec(line.trim());
    if (!match) throw new Unavailable('malformed');
    if (Number(match[2]) > 0) breached.push((match[1] as string).toUpperCase());
  }
  return toRange(breached);
}

async function readCapped(response: Response): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > MAX_RANGE_BYTES) {
      await response.body.cancel().catch(() => undefined);
      throw new Unavailable('too_large');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function createBreachCheck(settings: Config['passwords']['breach'], deps: BreachDeps): BreachClient {
  const doFetch = deps.fetch ?? fetch;
  const inFlight = new Map<string, Promise<Range>>();
  let unavailableCount = 0;

  async function fetchRange(prefix: string): Promise<Range> {
    const signal = AbortSignal.timeout(BREACH_BUDGET_MS);
    let response: Response;
    try {
      response = await doFetch(`${settings.api}${prefix}`, {
        headers: { 'Add-Padding': 'true', 'User-Agent': USER_AGENT, Accept: 'text/plain' },
        signal,
        redirect: 'error',
      });
    } catch {
      throw new Unavailable(signal.aborted ? 'timeout' : 'network');
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw new Unavailable('status', response.status);
    }
    let body: string;
    try {
      body = await readCapped(response);
    } catch (error) {
      if (error instanceof Unavailable) throw error;
      throw new Unavailable(signal.aborted ? 'timeout' : 'network');
    }
    return parseRange(body);
  }

  async function rangeOf(prefix: string): Promise<Range> {
    const cached = await deps.cache.get(prefix);
    if (cached) return cached;
    const pending = inFlight.get(prefix);
    if (pending) return pending;
    const fetching = fetchRange(prefix)
      .then(async (range) => {
        await deps.cache.set(prefix, range);
        return range;
      })
      .finally(() => inFlight.delete(prefix));
    inFlight.set(prefix, fetching);
    return fetching;
  }

  return {
    enabled: settings.check,
    get unavailableCount() {
      return unavailableCount;
    },
    async lookup(password): Promise<BreachVerdict> {
      if (!settings.check) return 'clean';
      const hash = passwordSha1(password);
      try {
        return rangeHas(await rangeOf(hash.slice(0, 5)), hash.slice(5)) ? 'breached' : 'clean';
      } catch (error) {
        const reason = error instanceof Unavailable ? error.reason : 'network';
        unavailableCount += 1;
        deps.onUnavailable?.(reason);
        // Never the prefix: five characters of a password's hash are not for the log.
        deps.logger.warn(
          { channel: 'breach', reason, status: error instanceof Unavailable ? error.status : undefined, unavailable: unavailableCount },
          'password breach check unavailable: the range API did not answer usably',
        );
        return 'unavailable';
      }
    },
    close: () => deps.cache.close(),
  };
}
