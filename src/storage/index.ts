/** Picks the backend: MongoDB when MONGODB_URI is set, the embedded store otherwise. */
import type { Config } from '../config/index.ts';
import { createEmbeddedStore } from './embedded/index.ts';
import type { Store } from './port.ts';

export async function openStore(config: Config): Promise<Store> {
  if (config.mongodbUri) {
    const { createMongoStore } = await import('./mongo/index.ts');
    return createMongoStore(config.mongodbUri);
  }
  return createEmbeddedStore(config.dataDir);
}
