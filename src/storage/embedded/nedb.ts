/**
 * @seald-io/nedb ships CommonJS with ESM-style typings; under Node's ESM loader the default import
 * is the class itself, while the typings see a namespace. This module states the part we use once.
 */
import { createRequire } from 'node:module';
import nedb from '@seald-io/nedb';

export interface Cursor<T> extends PromiseLike<T> {
  sort(order: Record<string, 1 | -1>): Cursor<T>;
  limit(count: number): Cursor<T>;
}

type Doc<S> = S & { _id: string };

export interface Db<S extends object = Record<string, unknown>> {
  loadDatabaseAsync(): Promise<void>;
  /** The collection's file (`<DATA_DIR>/<name>.db`). */
  readonly filename: string;
  setAutocompactionInterval(ms: number): void;
  stopAutocompaction(): void;
  compactDatafileAsync(): Promise<void>;
  ensureIndexAsync(options: { fieldName: string; unique?: boolean; sparse?: boolean; expireAfterSeconds?: number }): Promise<void>;
  removeIndexAsync(fieldName: string): Promise<void>;
  /** The live indexes by field name. */
  readonly indexes: Record<string, unknown>;
  findAsync(query: object): Cursor<Doc<S>[]>;
  findOneAsync(query: object): Promise<Doc<S> | null>;
  countAsync(query: object): Cursor<number>;
  insertAsync(doc: object): Promise<Doc<S>>;
  updateAsync(
    query: object,
    update: object,
    options?: { multi?: boolean; upsert?: boolean; returnUpdatedDocs?: boolean },
  ): Promise<{ numAffected: number; affectedDocuments: Doc<S> | Doc<S>[] | null; upsert: boolean }>;
  removeAsync(query: object, options: { multi?: boolean }): Promise<number>;
}

export const Datastore = nedb as unknown as new (options: { filename: string; modes?: { fileMode: number; dirMode: number } }) => Db;

/**
 * nedb's own copy of a stored document, the one its finds return: arrays and objects copied,
 * Dates shared. For reads that take a document from an index (accounts.ts) instead of a find.
 */
export const copyDocument = (createRequire(import.meta.url)('@seald-io/nedb/lib/model.js') as { deepCopy<T>(value: T): T }).deepCopy;
