/** The JWS algorithms Portcullis can hold signing keys for: a configuration fact (KEY_ALGORITHMS) the key domain reads. */
export const SUPPORTED_ALGS = ['ES256', 'RS256', 'PS256', 'EdDSA'] as const;
export type SigningAlg = (typeof SUPPORTED_ALGS)[number];
