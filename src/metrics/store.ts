/**
 * Times every call through the storage port (storage/port.ts) without the backends knowing: the
 * store, its repositories and its model stores are wrapped in proxies whose methods start a timer,
 * call through and observe the time when the promise settles. That is the only work added.
 * `operation` is `<repository>.<method>` (accounts.findByUsername) or `<Model>.<method>`
 * (RefreshToken.consume): closed sets, since the names come from our code, not from requests.
 */
import { performance } from 'node:perf_hooks';
import type { Store } from '../storage/port.ts';

export type ObserveOperation = (operation: string, seconds: number) => void;

const REPOSITORIES = new Set<PropertyKey>(['accounts', 'keys', 'audit', 'mfa', 'records']);

/**
 * A view of `object` whose reads go through `get`. It stands on an empty target, not on the object:
 * a store may hold read-only properties (test stores override `model` so), which a proxy of the
 * object itself would have to return unchanged.
 */
function forward<T extends object>(object: T, get: (key: PropertyKey) => unknown): T {
  return new Proxy(Object.create(null) as T, { get: (_, key) => get(key), has: (_, key) => key in object });
}

function timed<T extends object>(object: T, prefix: string, observe: ObserveOperation): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return forward(object, (key) => {
    const value: unknown = Reflect.get(object, key, object);
    if (typeof value !== 'function' || typeof key !== 'string') return value;
    let method = wrapped.get(key);
    if (!method) {
      const operation = `${prefix}.${key}`;
      method = function timedCall(...args: unknown[]) {
        const start = performance.now();
        const result: unknown = Reflect.apply(value, object, args);
        if (result instanceof Promise) return result.finally(() => observe(operation, (performance.now() - start) / 1000));
        return result;
      };
      wrapped.set(key, method);
    }
    return method;
  });
}

export function instrumentStore(store: Store, observe: ObserveOperation): Store {
  const repositories = new Map<PropertyKey, unknown>();
  const models = new Map<string, ReturnType<Store['model']>>();
  const model = (name: string) => {
    let found = models.get(name);
    if (!found) {
      found = timed(store.model(name), name, observe);
      models.set(name, found);
    }
    return found;
  };
  return forward(store, (key) => {
    if (key === 'model') return model;
    const value: unknown = Reflect.get(store, key, store);
    if (!REPOSITORIES.has(key) || typeof value !== 'object' || value === null) {
      return typeof value === 'function' ? value.bind(store) : value;
    }
    let repository = repositories.get(key);
    if (!repository) {
      repository = timed(value, String(key), observe);
      repositories.set(key, repository);
    }
    return repository;
  });
}
