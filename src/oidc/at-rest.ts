/**
 * What oidc-provider's adapter writes is protected at rest here, once for both backends:
 * bearer ids stored as digests (bearer-ids.ts), client secrets sealed (sealed-clients.ts), and
 * the bearer values an interaction refers to sealed (sealed-interactions.ts).
 * `view` is the domain's view of the models (model-view.ts), `raw` the store itself, which the
 * one-time upgrade of old records writes to so that no domain wrapper mistakes it for a new token.
 */
import type { Sealer } from '../keys/sealing.ts';
import { MODEL_NAMES } from '../storage/models.ts';
import type { ModelStore, Store } from '../storage/port.ts';
import { BEARER_MODELS, hashBearerIds } from './bearer-ids.ts';
import { sealClientSecrets } from './sealed-clients.ts';
import { sealInteractionRefs } from './sealed-interactions.ts';

export function protectAtRest(view: Pick<Store, 'model'>, raw: Pick<Store, 'model'>, sealer: Sealer): Pick<Store, 'model'> {
  const models = new Map<string, ModelStore>();
  for (const name of MODEL_NAMES) {
    if (BEARER_MODELS.has(name)) models.set(name, hashBearerIds(name, view.model(name), raw.model(name), sealer));
    if (name === 'Client') models.set(name, sealClientSecrets(view.model(name), raw.model(name), sealer));
    if (name === 'Interaction') models.set(name, sealInteractionRefs(view.model(name), sealer));
  }
  return { model: (name) => models.get(name) ?? view.model(name) };
}
