/**
 * Counters fed by the audit bus (audit/bus.ts): the domains already announce what happened, so
 * metrics subscribe instead of adding calls to hot paths. Label values come from closed sets; an
 * event's account, client and address never become labels.
 */
import type { AuditBus } from '../audit/bus.ts';
import type { AuditRecord } from '../storage/port.ts';
import type { Metrics } from './registry.ts';

/** The grant types oidc-provider can issue tokens for here; anything else is counted as `other`. */
const GRANT_TYPES = new Set([
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:openid:params:grant-type:ciba',
  'urn:ietf:params:oauth:grant-type:token-exchange',
]);
const MFA_METHODS = new Set(['totp', 'backup_code']);

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** A failed code names no method (it matched none); a replayed one can only be a TOTP code. */
function mfaMethod(event: AuditRecord): string {
  const method = text(event.detail?.method);
  if (method && MFA_METHODS.has(method)) return method;
  return event.detail?.reason === 'replayed' ? 'totp' : 'unknown';
}

export function countAuditEvents(audit: AuditBus, metrics: Metrics): () => void {
  return audit.subscribe((event) => {
    switch (event.type) {
      // Throttled and locked sign-ins are counted where they are refused (login.ts): the audit
      // trail notes only the first refusal a minute per username and address.
      case 'login.success':
        metrics.loginAttempts.inc({ result: 'success' });
        return;
      case 'login.failed':
        metrics.loginAttempts.inc({ result: 'failure' });
        return;
      case 'mfa.verified':
        metrics.mfaVerifications.inc({ method: mfaMethod(event), result: 'success' });
        return;
      case 'mfa.failed':
        metrics.mfaVerifications.inc({ method: mfaMethod(event), result: 'failure' });
        return;
      case 'mfa.throttled':
        metrics.mfaVerifications.inc({ method: 'unknown', result: 'throttled' });
        return;
      case 'token.issued': {
        const grant = text(event.detail?.grant_type);
        metrics.tokensIssued.inc({ grant_type: grant && GRANT_TYPES.has(grant) ? grant : 'other' });
        return;
      }
      case 'refresh_token.reuse_detected':
        metrics.refreshTokenReuse.inc();
        return;
    }
  });
}
