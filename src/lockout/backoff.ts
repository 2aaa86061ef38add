/**
 * Exponential back-off: the first `free` consecutive failures cost nothing (typos happen); each
 * one after that doubles the wait, starting at `base` seconds and never exceeding `cap`.
 * With the defaults (3 free, 1 s, 15 min): failures 4, 5, 6 … wait 1 s, 2 s, 4 s … 512 s, then
 * 900 s each, so a guesser gets about a hundred tries a day instead of thousands a minute.
 */
export interface BackoffPolicy {
  free: number;
  base: number;
  cap: number;
}

export function backoffDelay(failures: number, policy: BackoffPolicy): number {
  if (failures <= policy.free) return 0;
  // 2^30 × base already exceeds any sane cap; the bound keeps the arithmetic finite.
  const exponent = Math.min(failures - policy.free - 1, 30);
  return Math.min(policy.base * 2 ** exponent, policy.cap);
}
