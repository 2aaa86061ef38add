/**
 * The pure cost of a password check: argon2id verifications back to back, `concurrency` at a time,
 * with the server's own parameters, in the server's own process (same binding, same thread pool).
 */
import argon2 from 'argon2';

export async function hashRate(
  options: { type: 2; memoryCost: number; timeCost: number; parallelism: number },
  password: string,
  seconds: number,
  concurrency: number,
): Promise<{ hashesPerSecond: number; count: number }> {
  const hash = await argon2.hash(password, options);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let count = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        if (!(await argon2.verify(hash, password))) throw new Error('argon2 verification failed');
        count += 1;
      }
    }),
  );
  return { hashesPerSecond: count / ((performance.now() - started) / 1000), count };
}
