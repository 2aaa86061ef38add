/**
 * How instances tell each other that the key set changed. The signal only shortens the wait:
 * every instance also re-reads the store every KEY_SYNC_INTERVAL, so a lost message delays a
 * change by at most that long, never forever.
 */
export interface KeySignal {
  /** Tells the other instances to re-read the keys now. Never throws: the poll is the fallback. */
  publish(): Promise<void>;
  /** Calls `onChange` when another instance published, or when a message may have been missed. */
  subscribe(onChange: () => void): Promise<void>;
  close(): Promise<void>;
}

/** One instance (the embedded store, or no REDIS_URL): nobody else to tell. */
export function localSignal(): KeySignal {
  return {
    async publish() {},
    async subscribe() {},
    async close() {},
  };
}
