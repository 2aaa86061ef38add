/**
 * What oidc-provider's adapter writes is protected at rest here, once for both backends:
 * bearer ids stored as digests (bearer-ids.ts), client secrets sealed (sealed-clients.ts), and
 * the bearer values an interaction refers to sealed (sealed-interactions.ts).
 * `view` is the domain's view of the models (model-view.ts), `raw` the store itself, which the
 * one-time upgrade of old records writes to so that no domain wrapper mistakes it for a new token.
 *
 * The values sealed here are read many times while they live — a client's secret on every token
 * request, a session's id at every step of a sign-in — so they are opened through remembering
 * sealers: once per process, not once per use. Session and device-code ids are also sealed through
 * one, so the same id sealed again is the same text: it sits in its own record and in the
 * interactions that refer to it, which name the same session uid or device request in clear, so
 * the repeat tells a reader of the store nothing new. Client secrets are sealed afresh each time
 * (two clients given one secret must not show it), and have a memory of their own, so a burst of
 * sign-ins does not push them out.
 */
import { rememberingSealer, type Sealer } from '../keys/sealing.ts';
import { MODEL_NAMES } from '../storage/models.ts';
import type { ModelStore, Store } from '../storage/port.ts';
import { BEARER_MODELS, hashBearerIds } from './bearer-ids.ts';
import { sealClientSecrets } from './sealed-clients.ts';
import { sealInteractionRefs } from './sealed-interactions.ts';

/** Session and device ids remembered: the sessions signing in at once, with room to spare. */
const REMEMBERED_IDS = 4096;
/** Client secrets remembered: more than the clients of any one deployment's hot set. */
const REMEMBERED_SECRETS = 1000;

export function protectAtRest(view: Pick<Store, 'model'>, raw: Pick<Store, 'model'>, sealer: Sealer): Pick<Store, 'model'> {
  const models = new Map<string, ModelStore>();
  const ids = rememberingSealer(sealer, REMEMBERED_IDS);
  const openedSecrets = rememberingSealer(sealer, REMEMBERED_SECRETS);
  const secrets: Sealer = { seal: (clear) => sealer.seal(clear), open: (sealed) => openedSecrets.open(sealed) };
  for (const name of MODEL_NAMES) {
    if (BEARER_MODELS.has(name)) models.set(name, hashBearerIds(name, view.model(name), raw.model(name), ids));
    if (name === 'Client') models.set(name, sealClientSecrets(view.model(name), raw.model(name), secrets));
    if (name === 'Interaction') models.set(name, sealInteractionRefs(view.model(name), ids));
  }
  return { model: (name) => models.get(name) ?? view.model(name) };
}
