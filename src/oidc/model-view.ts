/**
 * The view of the store that oidc-provider's adapter sees: the store's own model stores, except
 * where a domain wraps one to add policy (refresh-token reuse detection, session activity).
 */
import type { ModelPayload, ModelStore, Store } from '../storage/port.ts';

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

/**
 * A copy of a stored payload, key by key in its order, with `values` in place of the keys it
 * names (added at the end where absent) and the keys in `omit` left out: the at-rest layers give
 * oidc-provider back what it saved (the clear client secret, the bearer id as jti) without moving
 * a key. An own `__proto__` key (JSON.parse makes one) stays data, as a spread keeps it.
 */
export function copyPayload(payload: ModelPayload, values: ModelPayload, omit?: ReadonlySet<string>): ModelPayload {
  const copy: ModelPayload = {};
  const put = (key: string, value: unknown) => {
    if (key === '__proto__') Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
    else copy[key] = value;
  };
  for (const key of Object.keys(payload)) {
    if (!omit?.has(key)) put(key, Object.hasOwn(values, key) ? values[key] : payload[key]);
  }
  for (const key of Object.keys(values)) if (!Object.hasOwn(copy, key)) put(key, values[key]);
  return copy;
}
