/**
 * The interaction policy: oidc-provider's login and consent prompts with an `mfa` prompt between
 * them. Its checks ask mfa/policy.ts whether this request needs a second factor the session does
 * not have yet; one decision per request, shared by the checks. When the person must use MFA,
 * has none and may not set it up here, the request ends at the client with
 * `unmet_authentication_requirements` (OpenID Connect Core 1.0 § 3.1.2.6).
 */
import { type Client, errors, interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { MFA_REASONS, type MfaDecision, type MfaPolicy, type MfaReason } from '../mfa/policy.ts';
import { clientExtension } from './client-metadata.ts';

export const MFA_PROMPT = 'mfa';

const DESCRIPTIONS: Record<MfaReason, string> = {
  policy: 'people who have a second factor use it at every sign-in',
  acr_values: 'the client asked for multi-factor authentication',
  client: 'the client requires multi-factor authentication',
  role: 'a role of the End-User requires multi-factor authentication',
  max_age: 'a fresh sign-in includes the second factor',
  admin: 'the admin API needs a sign-in with a second factor',
};

/** The `require_mfa` client metadata extension (registered in configuration.ts). */
export function clientRequiresMfa(client: Client | undefined): boolean {
  return clientExtension(client, 'require_mfa') === true;
}

export function buildInteractionPolicy(mfa: MfaPolicy): interactionPolicy.DefaultPolicy {
  const decisions = new WeakMap<KoaContextWithOIDC, Promise<MfaDecision | undefined>>();
  const decide = (ctx: KoaContextWithOIDC): Promise<MfaDecision | undefined> => {
    let decision = decisions.get(ctx);
    if (!decision) {
      const accountId = ctx.oidc.session?.accountId;
      // No session yet: the login prompt comes first, and the password step decides after it.
      decision = accountId
        ? mfa.decide({
            accountId,
            clientRequiresMfa: clientRequiresMfa(ctx.oidc.client),
            params: ctx.oidc.params as unknown as Record<string, unknown>,
            sessionAmr: ctx.oidc.session?.amr,
          })
        : Promise.resolve(undefined);
      decisions.set(ctx, decision);
    }
    return decision;
  };

  const checks = MFA_REASONS.map(
    (reason) =>
      new interactionPolicy.Check(`mfa_${reason}`, DESCRIPTIONS[reason], async (ctx) => {
        const decision = await decide(ctx);
        if (!decision?.reasons.includes(reason)) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        if (decision.blocked) {
          throw new errors.UnmetAuthenticationRequirements('multi-factor authentication is required and is not set up for this account');
        }
        return interactionPolicy.Check.REQUEST_PROMPT;
      }),
  );
  const prompt = new interactionPolicy.Prompt(
    { name: MFA_PROMPT, requestable: false },
    async (ctx) => ({ enrolled: (await decide(ctx))?.enrolled ?? false }),
    ...checks,
  );

  const policy = interactionPolicy.base();
  const consent = policy.findIndex((entry) => entry.name === 'consent');
  policy.add(prompt, consent === -1 ? policy.length : consent);
  return policy;
}
