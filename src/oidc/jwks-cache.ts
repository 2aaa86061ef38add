/**
 * Tells relying parties and resource servers how long they may keep the JWKS: JWKS_MAX_AGE.
 * The key schedule publishes every new key at least that long (plus one sync interval) before
 * it signs (keys/policy.ts), so a cache that honours this header never meets an unknown kid.
 */
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { ProviderFactory } from './build.ts';

export function withJwksCacheControl(factory: ProviderFactory, maxAgeSeconds: number): ProviderFactory {
  const value = `public, max-age=${maxAgeSeconds}`;
  return (jwks) => {
    const provider = factory(jwks);
    // Not an async function: V8 records every awaiting async function in the stack trace of each
    // error made below it, and oidc-provider makes several on every request (ctx.assert).
    provider.use((ctx: KoaContextWithOIDC, next: () => Promise<void>) =>
      next().then(() => {
        if (ctx.oidc?.route === 'jwks' && ctx.status === 200) ctx.set('Cache-Control', value);
      }),
    );
    return provider;
  };
}
