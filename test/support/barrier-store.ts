/**
 * A store whose RefreshToken lookups can be held at a barrier: once armed for a token, the first
 * `parties` callers of find(token) wait until all of them have arrived, then go on together.
 * Parallel HTTP requests alone rarely interleave that finely (each tends to finish its lookup and
 * its consume before the next one's lookup); the barrier makes every request pass oidc-provider's
 * "already used?" check before any of them consumes, so the conditional write alone decides.
 */
import { overrideModel } from '../../src/oidc/model-view.ts';
import type { ModelStore, Store } from '../../src/storage/port.ts';

export interface BarrierStore {
  store: Store;
  arm(id: string, parties: number): void;
  /** How many callers the last barrier held (to show it really was reached). */
  readonly held: number;
}

// Long enough for 20 local requests to arrive on a slow machine; only a fallback against hanging.
const RELEASE_AFTER_MS = 5000;

export function withFindBarrier(store: Store): BarrierStore {
  let armed: { id: string; parties: number; arrived: number; release: () => void; released: Promise<void> } | undefined;
  let held = 0;
  const wrap = (inner: ModelStore) =>
    overrideModel(inner, {
      async find(id) {
        const barrier = armed;
        if (barrier && barrier.id === id) {
          barrier.arrived += 1;
          held = barrier.arrived;
          if (barrier.arrived >= barrier.parties) {
            armed = undefined;
            barrier.release();
          }
          await barrier.released;
        }
        return inner.find(id);
      },
    });
  const refreshTokens = wrap(store.model('RefreshToken'));
  const view: Store = Object.create(store, { model: { value: (name: string) => (name === 'RefreshToken' ? refreshTokens : store.model(name)) } });
  return {
    store: view,
    arm(id, parties) {
      let release = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
        setTimeout(resolve, RELEASE_AFTER_MS).unref();
      });
      armed = { id, parties, arrived: 0, release, released };
    },
    get held() {
      return held;
    },
  };
}
