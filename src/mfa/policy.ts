/**
 * When a sign-in must include a second factor. One decision, used twice: by the interaction
 * policy prompt (oidc/mfa-prompt.ts) for requests on an existing session, and right after a
 * correct password (interactions/mfa/after-password.ts), so both always agree.
 *
 * A second factor is asked for, unless the session already has one, when
 * - the person has MFA and MFA_POLICY is `always`;
 * - the client asked for it with acr_values (or an acr claim request) naming ACR_MFA;
 * - the client is registered with `require_mfa: true`;
 * - the person holds a role listed in MFA_REQUIRED_ROLES;
 * - the client sent max_age and the person has MFA: a forced fresh sign-in is a full one;
 * - the request asks for the admin API (`resource=<ISSUER>/admin/v1`) and ADMIN_REQUIRE_MFA is on.
 *
 * Setting a second factor up during sign-in is offered only for reasons the operator set (a
 * `require_mfa` client, a role in MFA_REQUIRED_ROLES). A reason the request chose (acr_values)
 * never leads someone without a second factor into enrolment: otherwise anyone holding only the
 * password could add an authenticator of their own to any account and lock its owner out (audit
 * findings 2 and 8). Such a request ends with `unmet_authentication_requirements`. Asking for
 * the admin API never leads into enrolment either, whatever else asks for a second factor: the
 * person sets one up at /account first, signed in as themselves.
 */
import type { AccountService } from '../accounts/service.ts';
import type { Config } from '../config/index.ts';
import { ACR_MFA, ACR_PHR, hasPasskey, hasSecondFactor, requestedAcrValues } from './acr.ts';

export type MfaReason = 'policy' | 'acr_values' | 'client' | 'role' | 'max_age' | 'admin';
export const MFA_REASONS: readonly MfaReason[] = ['policy', 'acr_values', 'client', 'role', 'max_age', 'admin'];
/** The reasons the operator set, not the request: only these lead into enrolment during sign-in. */
export const ENROLMENT_REASONS: readonly MfaReason[] = ['client', 'role'];

export interface MfaFacts {
  enrolled: boolean;
  roles: readonly string[];
  clientRequiresMfa: boolean;
  requestedAcrs: readonly string[];
  maxAge: number | undefined;
  /** What the session's authentication already includes (after this request's password, if any). */
  sessionAmr: readonly string[] | undefined;
  /** The request asks for the admin API and ADMIN_REQUIRE_MFA is on. */
  adminResource?: boolean;
}

/** The request asks for acr `phr` and the session has no passkey yet: only a passkey step will do. */
export const needsPasskey = (facts: Pick<MfaFacts, 'requestedAcrs' | 'sessionAmr'>) => facts.requestedAcrs.includes(ACR_PHR) && !hasPasskey(facts.sessionAmr);

export function mfaReasons(config: Config['mfa'], facts: MfaFacts): MfaReason[] {
  if (hasSecondFactor(facts.sessionAmr)) return needsPasskey(facts) ? ['acr_values'] : [];
  const reasons: MfaReason[] = [];
  if (facts.enrolled && config.policy === 'always') reasons.push('policy');
  if (facts.requestedAcrs.includes(ACR_MFA) || needsPasskey(facts)) reasons.push('acr_values');
  if (facts.clientRequiresMfa) reasons.push('client');
  if (facts.roles.some((role) => config.requiredRoles.includes(role))) reasons.push('role');
  if (facts.enrolled && facts.maxAge !== undefined) reasons.push('max_age');
  if (facts.adminResource) reasons.push('admin');
  return reasons;
}

export interface MfaDecision {
  reasons: MfaReason[];
  enrolled: boolean;
  /**
   * A second factor is needed, the person has none and may not set one up during sign-in:
   * MFA_ENROL_AT_LOGIN=false, or no reason the operator set asks for it.
   */
  blocked: boolean;
  /** The request asks for `phr`: the step must be a passkey (the person has one, or `blocked` is set). Absent otherwise. */
  passkeyRequired?: true;
}

export interface MfaDecisionInput {
  accountId: string;
  clientRequiresMfa: boolean;
  /** The authorization request's parameters (acr_values, claims, max_age). */
  params: Record<string, unknown>;
  sessionAmr: readonly string[] | undefined;
}

export interface MfaPolicy {
  decide(input: MfaDecisionInput): Promise<MfaDecision>;
}

function maxAgeOf(params: Record<string, unknown>): number | undefined {
  const value = params.max_age;
  if (value === undefined || value === null || value === '') return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) ? seconds : undefined;
}

/** Whether the request's `resource` parameter (one value or several) names `identifier`. */
export function requestsResource(params: Record<string, unknown>, identifier: string): boolean {
  const value = params.resource;
  return Array.isArray(value) ? value.includes(identifier) : value === identifier;
}

export interface AdminMfa {
  /** `<ISSUER>/admin/v1`. */
  resource: string;
  /** ADMIN_REQUIRE_MFA. */
  requireMfa: boolean;
}

export function createMfaPolicy(
  config: Config['mfa'],
  accounts: Pick<AccountService, 'findById'>,
  isEnrolled: (accountId: string) => Promise<boolean>,
  admin?: AdminMfa,
  hasPasskeys: (accountId: string) => Promise<boolean> = async () => false,
): MfaPolicy {
  return {
    async decide(input) {
      const [account, enrolled, passkeys] = await Promise.all([accounts.findById(input.accountId), isEnrolled(input.accountId), hasPasskeys(input.accountId)]);
      const requestedAcrs = requestedAcrValues(input.params);
      const passkeyRequired = needsPasskey({ requestedAcrs, sessionAmr: input.sessionAmr });
      const reasons = mfaReasons(config, {
        enrolled,
        roles: account?.roles ?? [],
        clientRequiresMfa: input.clientRequiresMfa,
        requestedAcrs,
        maxAge: maxAgeOf(input.params),
        sessionAmr: input.sessionAmr,
        adminResource: admin?.requireMfa === true && requestsResource(input.params, admin.resource),
      });
      const mayEnrol = config.enrolAtLogin && reasons.some((reason) => ENROLMENT_REASONS.includes(reason)) && !reasons.includes('admin');
      // A passkey the person does not have cannot be set up on the strength of a request's acr_values either.
      const blocked = (reasons.length > 0 && !enrolled && !mayEnrol) || (passkeyRequired && !passkeys);
      return { reasons, enrolled, blocked, ...(passkeyRequired ? { passkeyRequired: true as const } : {}) };
    },
  };
}
