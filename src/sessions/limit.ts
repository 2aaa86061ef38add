/**
 * The limit on how many browser sessions one person may hold (SESSION_LIMIT, 0 = none). Checked
 * when a sign-in completes, before the new session exists: `refuse` turns the sign-in away,
 * `end_oldest` ends the oldest sessions (with their grants) to make room. Signing in again in a
 * browser that already holds one of the person's sessions reuses it and is not counted.
 */
import type { AuditBus } from '../audit/bus.ts';
import { DomainError } from '../platform/errors.ts';
import type { SessionService } from './service.ts';

export interface SessionLimit {
  admit(accountId: string, browserSessionUid: string | undefined): Promise<void>;
}

export function createSessionLimit(limit: number, mode: 'refuse' | 'end_oldest', sessions: SessionService, audit: AuditBus): SessionLimit {
  return {
    async admit(accountId, browserSessionUid) {
      if (limit === 0) return;
      const others = (await sessions.records(accountId)).filter((record) => record.uid !== browserSessionUid);
      const excess = others.length + 1 - limit;
      if (excess <= 0) return;
      if (mode === 'refuse') {
        audit.emit({ type: 'session.limit_refused', accountId, detail: { limit, live: others.length } });
        throw new DomainError(
          'session_limit_reached',
          `You are already signed in on ${others.length} browsers or devices, the most allowed. Sign out on one of them, then try again.`,
        );
      }
      // records() is oldest first.
      for (const record of others.slice(0, excess)) await sessions.end(accountId, record.uid, 'session_limit');
    },
  };
}
