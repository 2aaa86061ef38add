/**
 * Who may introspect a token (finding 16). oidc-provider's default lets any client with a secret
 * read any token. Ours: the token's own client, and the clients a resource server in the token's
 * audience lists as `introspectors`. Anyone else gets {"active":false}, as RFC 7662 §2.2 asks,
 * so an introspection answer tells a stranger nothing, not even that the token exists.
 */
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { ResourceRegistry } from './resources.ts';

type AllowedPolicy = NonNullable<NonNullable<NonNullable<Configuration['features']>['introspection']>['allowedPolicy']>;

interface Audiences {
  clientId?: string | undefined;
  aud?: string | string[] | undefined;
  resource?: string | string[] | undefined;
  resourceServer?: { audience?: string | undefined } | undefined;
}

function audiences(token: Audiences): string[] {
  return [token.aud, token.resource, token.resourceServer?.audience].flat().filter((value): value is string => typeof value === 'string');
}

export function introspectionAllowed(resources: ResourceRegistry): AllowedPolicy {
  return async (ctx: KoaContextWithOIDC, caller, token) => {
    const subject = token as unknown as Audiences;
    if (subject.clientId === caller.clientId) return true;
    const listed = audiences(subject).some((identifier) => resources.get(identifier)?.introspectors?.includes(caller.clientId));
    if (!listed) return false;
    // The provider reads the token's client next (pairwise subjects); a deleted client would be a 500.
    try {
      return Boolean(subject.clientId && (await ctx.oidc.provider.Client.find(subject.clientId)));
    } catch {
      return false;
    }
  };
}
