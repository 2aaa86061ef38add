/**
 * Load on first use. A feature's library (zxcvbn's dictionaries, nodemailer, ioredis, prom-client,
 * qrcode, otplib …) costs resident memory from the moment it is imported — 10 to 35 MiB each,
 * whether or not the feature is ever used. So the module that uses it imports only its types
 * (`import type`) and reaches the code through one of these: the first call starts a dynamic
 * `import()`, every later call shares that promise. A failed load is forgotten, so the next call
 * tries again instead of failing forever.
 *
 * The pattern, for any library:
 *   const loadLib = lazy(() => import('some-lib'));
 *   export async function useIt() { const { thing } = await loadLib(); return thing(); }
 */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
