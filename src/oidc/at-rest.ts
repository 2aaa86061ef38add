/**
 * What oidc-provider's adapter writes is protected at rest here, once for both backends:
 * bearer ids stored as digests (bearer-ids.ts), client secrets sealed (sealed-clients.ts), and
 * the bearer values an interaction refers to sealed (sealed-interactions.ts).
 * `view` is the domain's view of the models (model-view.ts), `raw` the store itself, which the
 * one-time upgrade of old records writes to so that no domain wrapper mistakes it for a new token.
 *
 * The values sealed here are read many times while they live — a client's secret on every token
 * request, a session's id at every step of a sign-in — so they are opened through one remembering
 * sealer: once per process, not once per use. Session and device-code ids are also sealed through
 * it, so the same id sealed again is the same text: it sits in its own record and in the
 * interactions that refer to it, which name the same session uid or device request in clear, so
 * the repeat tells a reader of the store nothing new. Client secrets are sealed afresh each time
 * (two clients given one secret must not show it).
 */
import { rememberingSealer, type Sealer } from '../keys/sealing.ts';
import { MODEL_NAMES } from '../storage/models.ts';
import type { ModelStore, Store } from '../storage/port.ts';
import { BEARER_MODELS, hashBearerIds } from './bearer-ids.ts';
import { sealClientSecrets } from './sealed-clients.ts';
import { sealInteractionRefs } from './sealed-interactions.ts';

/** Opened and sealed values remembered: the live clients and the sessions signing in at once. */
const REMEMBERED_SEALS = 4096;

export function protectAtRest(view: Pick<Store, 'model'>, raw: Pick<Store, 'model'>, sealer: Sealer): Pick<Store, 'model'> {
  const models = new Map<string, ModelStore>();
  const remembering = rememberingSealer(sealer, REMEMBERED_SEALS);
  const secrets: Sealer = { seal: (clear) => sealer.seal(clear), open: (sealed) => remembering.open(sealed) };
  for (const name of MODEL_NAMES) {
    if (BEARER_MODELS.has(name)) models.set(name, hashBearerIds(name, view.model(name), raw.model(name), remembering));
    if (name === 'Client') models.set(name, sealClientSecrets(view.model(name), raw.model(name), secrets));
    if (name === 'Interaction') models.set(name, sealInteractionRefs(view.model(name), remembering));
  }
  return { model: (name) => models.get(name) ?? view.model(name) };
}
