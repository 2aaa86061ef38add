/**
 * Telling "the database is not reachable right now" apart from every other storage failure, so
 * the HTTP layer can answer 503 `temporarily_unavailable` (retry later) instead of 500.
 *
 * Errors are recognised by `name` and `code`, not `instanceof`: this module is loaded by the HTTP
 * layer whichever backend runs, must not pull in the MongoDB driver to do so, and name checks
 * still work when two copies of the driver are installed side by side.
 */

/** Driver and mongoose error classes that only ever mean "no usable connection". */
const UNAVAILABLE_NAMES = new Set([
  'StorageUnavailableError', // our own marker
  'MongoServerSelectionError', // no eligible server answered within serverSelectionTimeoutMS
  'MongooseServerSelectionError', // the same, raised by mongoose while opening the connection
  'MongoNetworkError', // socket closed, reset or refused mid-operation
  'MongoNetworkTimeoutError', // socketTimeoutMS or connectTimeoutMS ran out
  'MongoPoolClearedError', // the pool was reset after another operation hit a network error
  'PoolClearedOnNetworkError',
  'MongoPoolClosedError',
  'MongoWaitQueueTimeoutError', // every pooled connection busy for longer than waitQueueTimeoutMS
  'MongoNotConnectedError', // an operation before connect() or after close()
  'MongoTopologyClosedError',
  'MongoServerClosedError',
  'MongoClientClosedError', // in-flight operations interrupted by close() during shutdown
  'MongoOperationTimeoutError', // a timeoutMS budget ran out
]);

/**
 * Server error codes a replica set returns while it elects or restarts a primary; the driver's
 * retryable-reads/writes specification lists the same codes. After its one automatic retry the
 * driver hands them to us, and the right answer to the client is still "try again shortly".
 */
const UNAVAILABLE_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/**
 * mongoose reports these as a plain MongooseError: a command issued while the connection is
 * down and buffering is off, or (if someone turns buffering back on) a buffer that timed out.
 */
const UNAVAILABLE_MESSAGES = [/before initial connection is complete/, /buffering timed out/, /Connection was force closed/];

/** How deep to follow `cause`: wrappers are shallow, and a cycle must not loop forever. */
const MAX_CAUSE_DEPTH = 5;

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

function matches(error: ErrorLike): boolean {
  if (typeof error.name === 'string' && UNAVAILABLE_NAMES.has(error.name)) return true;
  // Only for Mongo* errors: other libraries use small numeric codes that mean something else.
  const mongoError = typeof error.name === 'string' && error.name.startsWith('Mongo');
  if (mongoError && typeof error.code === 'number' && UNAVAILABLE_CODES.has(error.code)) return true;
  if (error.name === 'MongooseError' && typeof error.message === 'string') {
    const message = error.message;
    return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message));
  }
  return false;
}

/** True when `error` (or something it wraps as `cause`) means the database is unreachable. */
export function isStorageUnavailable(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH; depth += 1) {
    if (typeof current !== 'object' || current === null) return false;
    const candidate = current as ErrorLike;
    if (matches(candidate)) return true;
    current = candidate.cause;
  }
  return false;
}

/** Thrown by our own code when a backend is known to be down (e.g. after a failed ping). */
export class StorageUnavailableError extends Error {
  override name = 'StorageUnavailableError';
}

/**
 * The backend answers but should not be sent traffic (readiness, not reachability): e.g. the
 * embedded store cannot rewrite its files. `reason` is a stable code that /readyz reports.
 */
export class StoreNotReadyError extends Error {
  override name = 'StoreNotReadyError';
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.reason = reason;
  }
}
