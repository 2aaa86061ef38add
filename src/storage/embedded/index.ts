/**
 * The embedded backend: zero set-up, one process, persisted under DATA_DIR. Two processes must
 * not open the same directory (each keeps its own in-memory copy); use the mongo backend to scale out.
 */
import { MODEL_NAMES } from '../models.ts';
import type { ModelStore, Store } from '../port.ts';
import { createAccountRepository } from './accounts.ts';
import { createCollectionSet } from './datastore.ts';
import { createModelStore } from './models.ts';
import {
  createAuditRepository,
  createKeyRepository,
  createMfaRepository,
  createRecordRepository,
} from './repositories.ts';

/** Kept here too so code that imported the list from this module keeps working. */
export { MODEL_NAMES };

export async function createEmbeddedStore(dataDir: string): Promise<Store> {
  const collections = await createCollectionSet(dataDir);
  const models = new Map<string, ModelStore>();
  for (const name of MODEL_NAMES) {
    models.set(name, await createModelStore(await collections.open(`oidc-${name}`), name));
  }
  const store: Store = {
    kind: 'embedded',
    model(name) {
      const model = models.get(name);
      if (!model) throw new Error(`unknown model ${name}`);
      return model;
    },
    accounts: await createAccountRepository(await collections.open('accounts')),
    keys: await createKeyRepository(await collections.open('keys')),
    audit: await createAuditRepository(await collections.open('audit')),
    mfa: await createMfaRepository(await collections.open('mfa')),
    records: await createRecordRepository(await collections.open('records'), await collections.open('locks')),
    async ping() {
      // In-process: reachable as long as the process runs and the files loaded.
    },
    async close() {
      for (const collection of collections.all()) {
        collection.stopAutocompaction();
        await collection.compactDatafileAsync();
      }
    },
  };
  return store;
}
