/**
 * The algorithms the provider accepts (configuration.ts `enabledJWA`). What the provider signs
 * follows the signing-key lifecycle: clients may only ask for signing algorithms we hold keys for
 * (KEY_ALGORITHMS), so discovery advertises exactly those and client registration refuses the rest
 * instead of failing later when a token has to be signed. What clients sign (client
 * authentication, DPoP proofs) is not limited by our keys.
 */
import type { Configuration } from 'oidc-provider';
import type { SigningAlg } from '../config/algorithms.ts';

export function enabledAlgorithms(algorithms: readonly SigningAlg[]): NonNullable<Configuration['enabledJWA']> {
  const signed = [...algorithms];
  return {
    idTokenSigningAlgValues: signed,
    userinfoSigningAlgValues: signed,
    introspectionSigningAlgValues: signed,
    clientAuthSigningAlgValues: ['ES256', 'RS256', 'PS256', 'EdDSA'],
    dPoPSigningAlgValues: ['ES256', 'EdDSA', 'RS256', 'PS256'],
  };
}
