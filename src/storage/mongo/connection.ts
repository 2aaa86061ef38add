/**
 * Opening the dedicated mongoose connection (never mongoose's global one: nothing else in the
 * process can reconfigure or close it, and tests can open several side by side).
 *
 * The numbers below are defaults. Anything also written in the connection string wins, so an
 * operator tunes them in MONGODB_URI (`?maxPoolSize=50&serverSelectionTimeoutMS=2000`) without a
 * new release. (The driver itself lets the options object win, hence connectionOptions.)
 */
import mongoose, { type Connection, type ConnectOptions } from 'mongoose';

export const CONNECTION_DEFAULTS = {
  /**
   * 20 connections per instance: storage calls are single-document reads and writes that take
   * milliseconds, so 20 in flight carry hundreds of requests a second, while ten instances stay
   * at 200 connections, far below a small replica set's limit. (The driver's default is 100.)
   */
  maxPoolSize: 20,
  /**
   * 5 s instead of the driver's 30 s: with no reachable primary a request waits at most this
   * long before it fails with 503, instead of holding the browser for half a minute.
   */
  serverSelectionTimeoutMS: 5_000,
  /** A new TCP/TLS connection that takes longer than 5 s will not work better at 30 s. */
  connectTimeoutMS: 5_000,
  /**
   * 20 s without an answer on an open socket: orders of magnitude above any query we send (all
   * by _id or an index), and below the 30–60 s after which proxies give up, so the client gets
   * our 503 rather than a gateway timeout.
   */
  socketTimeoutMS: 20_000,
  /** One automatic retry of a write interrupted by a failover (the driver's default, stated). */
  retryWrites: true,
  /** Shows up in the server's logs and currentOp, so operators see who holds connections. */
  appName: 'portcullis',
} as const satisfies ConnectOptions;

export interface MongoConnectionOptions {
  /** Overrides the database named in the URI (tests use one fresh database per run). */
  dbName?: string;
  /** Replaces defaults outright, for callers with other needs (db:indexes: no socket timeout). */
  overrides?: Partial<Record<keyof typeof CONNECTION_DEFAULTS, number | boolean | string>>;
}

/** Query-string option names present in a connection string, lower-cased (they are case-insensitive). */
function uriOptionNames(uri: string): Set<string> {
  const query = uri.includes('?') ? uri.slice(uri.indexOf('?') + 1) : '';
  return new Set([...new URLSearchParams(query).keys()].map((name) => name.toLowerCase()));
}

export function connectionOptions(uri: string, options: MongoConnectionOptions = {}): ConnectOptions {
  const inUri = uriOptionNames(uri);
  const chosen: Record<string, unknown> = {};
  for (const [name, value] of Object.entries({ ...CONNECTION_DEFAULTS, ...options.overrides })) {
    if (!inUri.has(name.toLowerCase())) chosen[name] = value;
  }
  return {
    ...(chosen as ConnectOptions),
    ...(options.dbName ? { dbName: options.dbName } : {}),
    // Fail at once while disconnected instead of queueing operations in memory: a queued
    // request would wait out a timeout and then fail anyway, while memory grows.
    bufferCommands: false,
    // Indexes and collections are created by `portcullis db:indexes`, never implicitly.
    autoIndex: false,
    autoCreate: false,
  };
}

/** Connects and waits for the first successful server selection; rejects (and cleans up) otherwise. */
export async function openConnection(uri: string, options: MongoConnectionOptions = {}): Promise<Connection> {
  const connection = mongoose.createConnection(uri, connectionOptions(uri, options));
  try {
    return await connection.asPromise();
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw error;
  }
}
