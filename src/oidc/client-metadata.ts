/**
 * Reading one of our extension properties of a client (configuration.ts `extraClientMetadata`:
 * first_party, require_mfa, admin_scopes, refresh_token_rotation). oidc-provider keeps extension
 * properties on the Client under their own snake_case names, exactly as `metadata()` returns them;
 * `metadata()` itself rebuilds the whole document (every key re-cased and looked up), which cost
 * ~40 µs a call on the sign-in path, where these are read several times per request.
 */
import type { Client } from 'oidc-provider';

export type ExtensionProperty = 'first_party' | 'require_mfa' | 'admin_scopes' | 'refresh_token_rotation';

export function clientExtension(client: Client | undefined, property: ExtensionProperty): unknown {
  return client ? (client as unknown as Record<ExtensionProperty, unknown>)[property] : undefined;
}
