/**
 * What the signing-key lifecycle changes in the provider configuration (applied through the
 * `extend` hook of configuration.ts): JWT access tokens are recorded at issuance (see
 * jwt-access-tokens.ts), and clients may only ask for signing algorithms we hold keys for, so
 * discovery advertises exactly KEY_ALGORITHMS and registration refuses the rest.
 */
import type { Configuration } from 'oidc-provider';
import type { SigningAlg } from '../keys/algorithms.ts';
import type { Store } from '../storage/port.ts';
import { recordJwtAccessTokens } from './jwt-access-tokens.ts';

export function keyConfiguration(store: Store, algorithms: readonly SigningAlg[]): (configuration: Configuration) => void {
  const record = recordJwtAccessTokens(store);
  return (configuration) => {
    configuration.formats = { ...configuration.formats, customizers: { ...configuration.formats?.customizers, jwt: record } };
    const algs = [...algorithms];
    configuration.enabledJWA = {
      ...configuration.enabledJWA,
      idTokenSigningAlgValues: algs,
      userinfoSigningAlgValues: algs,
      introspectionSigningAlgValues: algs,
    };
  };
}
