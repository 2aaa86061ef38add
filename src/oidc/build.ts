/** Constructs a Provider from the configuration and the current published keys. */
import Provider from 'oidc-provider';
import type { AuditBus } from '../audit/bus.ts';
import type { Config } from '../config/index.ts';
import type { Logger } from '../platform/logger.ts';
import { buildConfiguration, type ConfigurationDeps } from './configuration.ts';
import { subscribeProviderEvents } from './events.ts';
import { rememberClients } from './remembered-clients.ts';

export interface ProviderFactoryDeps extends Omit<ConfigurationDeps, 'jwks'> {
  config: Config;
  audit: AuditBus;
  logger: Logger;
  /** The client records' revisions, where the store keeps them (ModelStore.revision). */
  clientRevision?: ((id: string) => object | undefined) | undefined;
}

export type ProviderFactory = (jwks: ConfigurationDeps['jwks']) => Provider;

export function createProviderFactory(deps: ProviderFactoryDeps): ProviderFactory {
  return (jwks) => {
    const provider = new Provider(deps.config.issuer, buildConfiguration({ ...deps, jwks }));
    // Forwarded headers reach this far only from trusted proxies (security/client-ip.ts strips the rest).
    provider.proxy = deps.config.trustProxy !== false;
    subscribeProviderEvents(provider, deps.audit, deps.logger);
    if (deps.clientRevision) rememberClients(provider, deps.clientRevision);
    return provider;
  };
}
