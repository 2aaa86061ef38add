/**
 * oidc-provider's Adapter interface over the storage port. `consume` is where one-time artefacts
 * become race-free: the store's conditional write decides, and a caller that lost the race gets
 * `invalid_grant` instead of a second set of tokens.
 */
import { errors } from 'oidc-provider';
import { isStorageUnavailable } from '../storage/errors.ts';
import type { ModelPayload, Store } from '../storage/port.ts';

/**
 * The store is down: answer 503 `temporarily_unavailable` instead of oidc-provider's generic 500,
 * so clients retry and load balancers see an honest signal.
 */
export class StoreUnavailable extends errors.CustomOIDCProviderError {
  constructor() {
    super('temporarily_unavailable', 'the service is temporarily unavailable, try again shortly');
    Object.assign(this, { status: 503, statusCode: 503, expose: true, allow_redirect: false });
  }
}

async function guarded<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isStorageUnavailable(error)) throw new StoreUnavailable();
    throw error;
  }
}

export type AdapterConstructor = new (
  model: string,
) => {
  upsert(id: string, payload: ModelPayload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<ModelPayload | undefined>;
  findByUid(uid: string): Promise<ModelPayload | undefined>;
  findByUserCode(userCode: string): Promise<ModelPayload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
};

export type ConsumeLost = (model: string, id: string) => Promise<void>;

export function createAdapterClass(store: Pick<Store, 'model'>, onConsumeLost: ConsumeLost): AdapterConstructor {
  return class PortcullisAdapter {
    readonly model: string;
    constructor(model: string) {
      this.model = model;
    }
    private get target() {
      return store.model(this.model);
    }
    upsert(id: string, payload: ModelPayload, expiresIn?: number) {
      return guarded(() => this.target.upsert(id, payload, expiresIn));
    }
    find(id: string) {
      return guarded(() => this.target.find(id));
    }
    findByUid(uid: string) {
      return guarded(() => this.target.findByUid(uid));
    }
    findByUserCode(userCode: string) {
      return guarded(() => this.target.findByUserCode(userCode));
    }
    async consume(id: string) {
      if (!(await guarded(() => this.target.consume(id)))) {
        await onConsumeLost(this.model, id);
        throw new errors.InvalidGrant('grant request is invalid');
      }
    }
    destroy(id: string) {
      return guarded(() => this.target.destroy(id));
    }
    revokeByGrantId(grantId: string) {
      return guarded(() => this.target.revokeByGrantId(grantId));
    }
  };
}
