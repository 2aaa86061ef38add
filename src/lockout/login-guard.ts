/**
 * The login form's LoginGuard. Before a password is verified the attempt must pass:
 * hard locks (423), the address's failure budget, the username + address back-off, and the
 * username-wide back-off — unless this username signed in from this address recently (a
 * stranger elsewhere cannot lock a person out of their usual network). Refusals hold even
 * for the right password, or the wait would tell a guesser when it was right.
 *
 * One verification at a time per username + address: a burst of parallel guesses would
 * otherwise all pass the check before the first failure is counted.
 */
import type { AuditBus } from '../audit/bus.ts';
import type { Limiter, Verdict } from './limiter.ts';
import type { LoginAttempt, LoginGuard } from './login-attempts.ts';
import { lockedError, refusal, worst } from './refusals.ts';

export interface LoginGuardPolicy {
  /** How long a successful sign-in exempts its address from the username-wide back-off (s). */
  knownAddressTtl: number;
  /** Failures for one username that hard-lock it (0: never). */
  hardLockFailures: number;
}

const allowed = (dimension: Verdict['dimension']): Verdict => ({ dimension, allowed: true, retryAfter: 0, limit: 0, remaining: 0, failures: 0 });

/** The account a username names, if any: a refusal for a real account is stored, others only logged. */
export type AccountIdOf = (username: string) => Promise<string | undefined>;

export function createLoginGuard(limiter: Limiter, audit: AuditBus, policy: LoginGuardPolicy, accountIdOf?: AccountIdOf): LoginGuard {
  /** Records a refusal in the audit trail, once a minute per username + address at most. */
  const note = async (pair: { username: string; ip: string }, detail: Record<string, unknown>) => {
    const seen = await limiter.fail('login.throttle_note', pair);
    if (seen.failures === 1) audit.emit({ type: 'login.throttled', accountId: await accountIdOf?.(pair.username), detail });
  };
  const throttled = async (pair: { username: string; ip: string }, verdict: Verdict) => {
    await note(pair, { dimension: verdict.dimension, retry_after: verdict.retryAfter });
    return refusal(verdict);
  };

  return {
    async check({ username, ip }: LoginAttempt) {
      const pair = { username, ip };
      const [userLocked, ipLocked, known] = await Promise.all([
        limiter.locked('username', username),
        limiter.locked('ip', ip),
        limiter.known('login.known', pair),
      ]);
      if (userLocked || ipLocked) {
        await note(pair, { locked: userLocked ? 'username' : 'ip' });
        throw lockedError();
      }
      const refused = worst(
        await Promise.all([
          limiter.check('login.ip', { ip }),
          limiter.check('login.user_ip', pair),
          known ? allowed('login.user') : limiter.check('login.user', { username }),
        ]),
      );
      if (refused) throw await throttled(pair, refused);
      const slot = await limiter.fail('login.inflight', pair);
      if (slot.failures > 1) throw await throttled(pair, slot);
    },

    async failed({ username, ip, accountId }: LoginAttempt) {
      const pair = { username, ip };
      const [, , user] = await Promise.all([limiter.fail('login.ip', { ip }), limiter.fail('login.user_ip', pair), limiter.fail('login.user', { username })]);
      await limiter.reset('login.inflight', pair);
      const spec = limiter.spec('login.user');
      if (accountId && spec.kind === 'backoff' && user.failures === spec.free + 1) {
        audit.emit({ type: 'account.locked', accountId, detail: { scope: 'username', temporary: true, retry_after: user.retryAfter } });
      }
      if (policy.hardLockFailures > 0 && user.failures === policy.hardLockFailures) {
        await limiter.lock('username', username);
        audit.emit({ type: 'account.locked', accountId, detail: { scope: 'username', temporary: false, by: 'policy', failures: user.failures } });
      }
    },

    async succeeded({ username, ip }: LoginAttempt) {
      const pair = { username, ip };
      await Promise.all([
        limiter.reset('login.user_ip', pair),
        limiter.reset('login.inflight', pair),
        limiter.remember('login.known', pair, policy.knownAddressTtl),
      ]);
    },
  };
}
