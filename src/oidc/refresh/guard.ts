/**
 * Refresh-token reuse detection, as a wrapper around the RefreshToken model store.
 *
 * oidc-provider's refresh_token grant finds the presented token, checks client, expiry, grant
 * and account, refuses it if `consumed` is set (revoking the grant), then calls `consume()` and
 * issues a new token. Find-then-consume is two steps: two requests with the same token can both
 * pass the check. So the decision is made here, by the store's conditional write:
 *
 * - find: the token was issued to another client, or was already used (outside the grace rule,
 *   replay.ts): reuse, the family is revoked and the answer is invalid_grant. A grace retry is
 *   shown to oidc-provider as unused so that it goes on to issue a pair.
 * - consume: exactly one caller wins the write. A loser presented an unused token at the same
 *   moment as the winner: in strict mode that is reuse; with a grace window it is a concurrent
 *   duplicate, refused without revoking (the winner's answer is on its way). A grace retry
 *   consumes the live successor instead, so that at most one live token remains.
 * - upsert: the new token records which token it replaced and when; then family.ts checks.
 *   Every token also carries when its family began, and a family that began before the
 *   account's last password change is refused, for any client and route (password-change.ts).
 *
 * The request comes from oidc-provider's own async context (`Provider.ctx`), public API.
 */
import Provider, { errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { AuditBus } from '../../audit/bus.ts';
import { epochSeconds } from '../../platform/clock.ts';
import type { ModelPayload, ModelStore } from '../../storage/port.ts';
import { overrideModel } from '../model-view.ts';
import { createFamilyKeeper } from './family.ts';
import { FAMILY_BEGAN_AT, type PasswordChangedAt, predatesPasswordChange } from './password-change.ts';
import { judgeReplay, type ReuseReason, ROTATED_AT, ROTATED_FROM } from './replay.ts';
import { rotatesRefreshTokens } from './rotation.ts';

export interface ReuseReport {
  ctx: KoaContextWithOIDC;
  /** The presented token's stored payload. */
  token: ModelPayload;
  presentedBy: string | undefined;
  reason: ReuseReason;
}

export interface RefreshGuardDeps {
  graceSeconds: number;
  /** Milliseconds since the epoch; injected so tests can step past the grace window. */
  clock: () => number;
  grants: ModelStore;
  audit: AuditBus;
  /** Revokes the family and tells the client (back-channel logout); see reuse.ts. */
  respondToReuse(report: ReuseReport): Promise<void>;
  /**
   * The id a token value is stored under (oidc/bearer-ids.ts: a digest). This guard sees stored
   * ids only; oidc-provider's entities carry the values. Identity when absent.
   */
  storedId?: (jti: string) => string;
  /** When the account's password last changed (password-change.ts). */
  passwordChangedAt: PasswordChangedAt;
}

interface Attempt {
  id: string;
  payload: ModelPayload;
  /** Set for a grace retry: the live successor this request retires. */
  successorId?: string;
}

const USED = 'refresh token already used';
const BEFORE_PASSWORD_CHANGE = 'refresh token was issued before the password was changed; sign in again';
const IN_FLIGHT = 'refresh token is being rotated by another request; use the newest refresh token';

function refreshGrant(): KoaContextWithOIDC | undefined {
  const ctx = Provider.ctx;
  if (ctx?.oidc.route !== 'token' || ctx.oidc.params?.grant_type !== 'refresh_token') return undefined;
  return ctx;
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

export function guardRefreshTokens(inner: ModelStore, deps: RefreshGuardDeps): ModelStore {
  const graceMs = deps.graceSeconds * 1000;
  const storedId = deps.storedId ?? ((jti: string) => jti);
  const family = createFamilyKeeper(inner, deps.grants);
  // One entry per token request: what find() learned, for consume() and upsert() to act on.
  const attempts = new WeakMap<KoaContextWithOIDC, Attempt>();

  async function reuse(ctx: KoaContextWithOIDC, token: ModelPayload, reason: ReuseReason): Promise<never> {
    await deps.respondToReuse({ ctx, token, presentedBy: ctx.oidc.client?.clientId, reason });
    throw new errors.InvalidGrant(reason === 'other_client' ? 'client mismatch' : USED);
  }

  function refuseInFlight(ctx: KoaContextWithOIDC, token: ModelPayload): never {
    deps.audit.emit({
      type: 'refresh_token.retry_refused',
      clientId: ctx.oidc.client?.clientId,
      accountId: text(token.accountId),
      detail: { grantId: token.grantId },
    });
    throw new errors.InvalidGrant(IN_FLIGHT);
  }

  async function judge(id: string, token: ModelPayload) {
    const records = graceMs > 0 ? await inner.findByGrantId(String(token.grantId)) : [];
    return judgeReplay(id, records, graceMs, deps.clock());
  }

  return overrideModel(inner, {
    async find(id) {
      const token = await inner.find(id);
      const ctx = refreshGrant();
      if (token && (await predatesPasswordChange(token, deps.passwordChangedAt))) {
        // Dead for good: removed, so introspection and revocation find nothing either.
        await inner.destroy(id);
        if (!ctx) return undefined;
        deps.audit.emit({
          type: 'refresh_token.refused',
          clientId: ctx.oidc.client?.clientId,
          accountId: text(token.accountId),
          detail: { reason: 'password_changed', grantId: token.grantId },
        });
        throw new errors.InvalidGrant(BEFORE_PASSWORD_CHANGE);
      }
      // Expired tokens are left to oidc-provider, which answers "expired" and revokes nothing.
      if (!token || !ctx || (typeof token.exp === 'number' && token.exp <= epochSeconds())) return token;
      if (token.clientId !== ctx.oidc.client?.clientId) return reuse(ctx, token, 'other_client');
      if (token.consumed === undefined) {
        attempts.set(ctx, { id, payload: token });
        return token;
      }
      // A grace retry retires the successor when oidc-provider consumes; a client that no longer
      // rotates would never consume, and would leave two usable tokens.
      if (!rotatesRefreshTokens(ctx)) return reuse(ctx, token, 'replayed');
      const verdict = await judge(id, token);
      if (verdict.kind === 'reuse') return reuse(ctx, token, verdict.reason);
      if (verdict.kind === 'in_flight') return refuseInFlight(ctx, token);
      attempts.set(ctx, { id, payload: token, successorId: verdict.successorId });
      const { consumed: _consumed, ...unconsumed } = token;
      return unconsumed;
    },

    async consume(id) {
      const ctx = refreshGrant();
      const attempt = ctx ? attempts.get(ctx) : undefined;
      if (!ctx || !attempt || attempt.id !== id) return inner.consume(id);
      if (attempt.successorId === undefined) {
        if (await inner.consume(id)) return true;
        if (graceMs > 0) return refuseInFlight(ctx, attempt.payload);
        return reuse(ctx, attempt.payload, 'concurrent');
      }
      if (await inner.consume(attempt.successorId)) {
        deps.audit.emit({
          type: 'refresh_token.grace_retry',
          clientId: ctx.oidc.client?.clientId,
          accountId: text(attempt.payload.accountId),
          detail: { grantId: attempt.payload.grantId },
        });
        return true;
      }
      // The successor was used or retired between our look and our write: look again.
      const verdict = await judge(id, attempt.payload);
      if (verdict.kind === 'reuse') return reuse(ctx, attempt.payload, verdict.reason);
      return refuseInFlight(ctx, attempt.payload);
    },

    async upsert(id, payload, expiresIn) {
      const ctx = refreshGrant();
      const attempt = ctx ? attempts.get(ctx) : undefined;
      const rotated = ctx?.oidc.entities.RotatedRefreshToken?.jti;
      if (ctx && attempt && typeof rotated === 'string' && storedId(rotated) === attempt.id) {
        const began = attempt.payload[FAMILY_BEGAN_AT];
        const next = { ...payload, [ROTATED_FROM]: attempt.id, [ROTATED_AT]: deps.clock(), ...(typeof began === 'number' ? { [FAMILY_BEGAN_AT]: began } : {}) };
        await inner.upsert(id, next, expiresIn);
        await family.afterRotation(id, attempt.id);
        return;
      }
      // A first token begins its family. Date.now, not deps.clock: it is compared with
      // passwordChangedAt, which accounts/service.ts stamps with the real clock.
      await inner.upsert(id, { [FAMILY_BEGAN_AT]: Date.now(), ...payload }, expiresIn);
      if (typeof payload.grantId === 'string') await family.afterFirstToken(id, payload.grantId);
    },
  });
}
