/**
 * Which clients rotate refresh tokens. All do, unless registered with
 * `"refresh_token_rotation": false` (a client metadata extension): a confidential server-side
 * client that cannot store a new token atomically may prefer one long-lived token. Reuse
 * detection needs rotation, so such a client gives it up (README § Refresh tokens).
 */
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { clientExtension } from '../client-metadata.ts';

export const ROTATION_METADATA = 'refresh_token_rotation';

export function validateRotationMetadata(key: string, value: unknown): void {
  if (key === ROTATION_METADATA && value !== undefined && typeof value !== 'boolean') {
    throw new errors.InvalidClientMetadata(`${ROTATION_METADATA} must be a boolean`);
  }
}

export function rotatesRefreshTokens(ctx: KoaContextWithOIDC): boolean {
  return clientExtension(ctx.oidc.client, ROTATION_METADATA) !== false;
}
