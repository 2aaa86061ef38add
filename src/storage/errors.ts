/**
 * Recognises errors that mean "the store cannot be reached right now", so requests can fail fast
 * with 503 instead of 500. The mongo backend extends the list of names it knows.
 */
const UNAVAILABLE_NAMES = new Set([
  'StorageUnavailableError',
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongooseServerSelectionError',
]);

export class StorageUnavailableError extends Error {
  override name = 'StorageUnavailableError';
}

export function isStorageUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    if (UNAVAILABLE_NAMES.has(current.name)) return true;
    current = current.cause;
  }
  return false;
}
