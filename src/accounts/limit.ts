/**
 * At most `slots` tasks at once; the rest wait their turn in arrival order. Used to keep argon2id
 * from taking every libuv thread-pool worker: argon2 runs there, and so do async file operations,
 * WebCrypto (jose signs ID tokens with it) and DNS. With 8 logins in flight on the default pool of
 * 4, a one-line `fs.promises.appendFile` waited 1.4 s (median) behind the hashes; with 2, 0.14 ms.
 */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

export function createLimiter(slots: number): Limiter {
  if (!Number.isInteger(slots) || slots < 1) throw new RangeError('a limiter needs at least one slot');
  let running = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  };
  return async (task) => {
    if (running < slots) running += 1;
    // A released slot passes straight to the next waiter, so `running` never drops in between.
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      release();
    }
  };
}
