/**
 * What the signing-key lifecycle changes in the provider configuration (applied through the
 * `extend` hook of configuration.ts): clients may only ask for signing algorithms we hold keys
 * for, so discovery advertises exactly KEY_ALGORITHMS and client registration refuses the rest
 * instead of failing later when a token has to be signed.
 */
import type { Configuration } from 'oidc-provider';
import type { SigningAlg } from '../config/algorithms.ts';

export function keyConfiguration(algorithms: readonly SigningAlg[]): (configuration: Configuration) => void {
  return (configuration) => {
    const algs = [...algorithms];
    configuration.enabledJWA = {
      ...configuration.enabledJWA,
      idTokenSigningAlgValues: algs,
      userinfoSigningAlgValues: algs,
      introspectionSigningAlgValues: algs,
    };
  };
}
