/**
 * oidc-provider's Adapter interface over the storage port. `consume` is where one-time artefacts
 * become race-free: the store's conditional write decides, and a caller that lost the race gets
 * `invalid_grant` instead of a second set of tokens.
 */
import { errors } from 'oidc-provider';
import type { ModelPayload, Store } from '../storage/port.ts';

export type AdapterConstructor = new (model: string) => {
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
      return this.target.upsert(id, payload, expiresIn);
    }
    find(id: string) {
      return this.target.find(id);
    }
    findByUid(uid: string) {
      return this.target.findByUid(uid);
    }
    findByUserCode(userCode: string) {
      return this.target.findByUserCode(userCode);
    }
    async consume(id: string) {
      if (!(await this.target.consume(id))) {
        await onConsumeLost(this.model, id);
        throw new errors.InvalidGrant('grant request is invalid');
      }
    }
    destroy(id: string) {
      return this.target.destroy(id);
    }
    revokeByGrantId(grantId: string) {
      return this.target.revokeByGrantId(grantId);
    }
  };
}
