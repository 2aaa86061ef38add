/** Picks the backend: MongoDB when MONGODB_URI is set, the embedded store otherwise. */
import type { Config } from '../config/index.ts';
import { createEmbeddedStore } from './embedded/index.ts';
import { secureDataDir } from './embedded/permissions.ts';
import type { Store } from './port.ts';

/** Start-up problems worth an operator's attention that do not stop the server. */
export type StoreWarn = (message: string) => void;

export async function openStore(config: Config, warn: StoreWarn = (message) => process.emitWarning(message)): Promise<Store> {
  if (config.mongodbUri) {
    const { createMongoStore, describeIndex } = await import('./mongo/index.ts');
    const store = await createMongoStore(config.mongodbUri);
    // Serving without the unique indexes would let duplicate accounts in, so say so loudly;
    // building them here instead would hold locks on a live database (see mongo/indexes.ts).
    try {
      const missing = await store.missingIndexes();
      if (missing.length > 0) {
        const names = missing.map(({ index, reason }) => `${describeIndex(index)}${reason === 'different' ? ' [different options]' : ''}`);
        warn(`MongoDB indexes missing, run "npm run portcullis -- db:indexes": ${names.join(', ')}`);
      }
    } catch (error) {
      warn(`could not check MongoDB indexes: ${(error as Error).message}`);
    }
    return store;
  }
  // Tightens a directory written with looser modes, or refuses to start (embedded/permissions.ts).
  await secureDataDir(config.dataDir, warn);
  return createEmbeddedStore(config.dataDir, {
    compactionIntervalMs: config.embeddedCompactionInterval * 1000,
    onCompaction: ({ collection, error }) =>
      warn(
        error
          ? `embedded store: compaction of ${collection} failed (${error.message}); /readyz reports unready until one succeeds`
          : `embedded store: compaction of ${collection} succeeded again; ready`,
      ),
    audit: { onIndexError: (error, day) => warn(`embedded store: indexing the audit trail of ${day} failed (${error.message}); its queries scan`) },
  });
}
