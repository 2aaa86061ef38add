/**
 * The view of the store that oidc-provider's adapter sees: the store's own model stores, except
 * where a domain wraps one to add policy (refresh-token reuse detection, session activity).
 */
import type { ModelStore, Store } from '../storage/port.ts';

export type ModelWrapper = (inner: ModelStore) => ModelStore;

export function modelView(store: Store, wrappers: Record<string, ModelWrapper>): Pick<Store, 'model'> {
  const wrapped = new Map<string, ModelStore>();
  for (const [name, wrap] of Object.entries(wrappers)) wrapped.set(name, wrap(store.model(name)));
  return { model: (name) => wrapped.get(name) ?? store.model(name) };
}

/** A model store that behaves like `inner` except for the methods given. */
export function overrideModel(inner: ModelStore, overrides: Partial<ModelStore>): ModelStore {
  return {
    upsert: (id, payload, expiresIn) => inner.upsert(id, payload, expiresIn),
    find: (id) => inner.find(id),
    findByUid: (uid) => inner.findByUid(uid),
    findByUserCode: (userCode) => inner.findByUserCode(userCode),
    findByAccountId: (accountId) => inner.findByAccountId(accountId),
    findByGrantId: (grantId) => inner.findByGrantId(grantId),
    consume: (id) => inner.consume(id),
    destroy: (id) => inner.destroy(id),
    revokeByGrantId: (grantId) => inner.revokeByGrantId(grantId),
    count: () => inner.count(),
    ...overrides,
  };
}
