/**
 * MongoDB for tests: the server named by MONGODB_URI, a fresh database per store, every database
 * dropped when the file's tests end. Without MONGODB_URI the suites that need it are reported as
 * SKIPPED (never as passed) with a loud line saying what was not tested.
 */
import { randomUUID } from 'node:crypto';
import { after, it } from 'node:test';
import { createConnection } from 'mongoose';
import { createMongoStore, type MongoStore } from '../../src/storage/mongo/index.ts';

// Tests choose their backend from the environment directly; src/ reads it only through config.
export const MONGODB_URI = process.env.MONGODB_URI || undefined;

/** Says loudly, and in the report, what did not run against MongoDB. */
export function mongoSkipped(what: string): void {
  console.warn(`\n*** MONGODB_URI is not set: ${what} NOT tested against MongoDB ***\n`);
  it(`${what} on mongo`, { skip: `MONGODB_URI is not set: ${what} NOT tested against MongoDB` }, () => {});
}

/** Opens stores on fresh databases (indexes created, as db:indexes does) and drops them all after the file. */
export function mongoDatabases(uri: string) {
  const databases: string[] = [];
  after(async () => {
    for (const dbName of databases) {
      const connection = await createConnection(uri, { dbName, serverSelectionTimeoutMS: 5000 }).asPromise();
      await connection.dropDatabase();
      await connection.close();
    }
  });
  /** A new database name, dropped after the file. */
  const fresh = (): string => {
    const dbName = `portcullis_test_${randomUUID().slice(0, 8)}`;
    databases.push(dbName);
    return dbName;
  };
  /** A store on `dbName` (a fresh database unless named), with its indexes unless told otherwise. */
  const open = async (dbName = fresh(), options: { indexes?: boolean } = {}): Promise<MongoStore> => {
    const store = await createMongoStore(uri, { dbName });
    if (options.indexes !== false) await store.ensureIndexes();
    return store;
  };
  return { fresh, open };
}
