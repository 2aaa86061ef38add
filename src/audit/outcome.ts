/**
 * Whether an audit event records a success or a failure, when the emit site does not say: by the
 * type's ending, so a new `*.failed` event is a failure without anyone remembering to say so.
 * `outcome` lets the trail be filtered for what went wrong ("every refused or failed thing for
 * this account") without knowing every type by name.
 */

/** Endings that mean something was refused, failed, detected as abuse, or held back. */
export const FAILURE_ENDINGS = ['.failed', '_failed', '.error', '.refused', '_refused', '.reuse_detected', '.locked', '.throttled'] as const;

/** Failures whose names do not say so: a password found in a breach corpus is a finding against the account. */
export const FAILURE_TYPES: ReadonlySet<string> = new Set(['password.compromised']);

export function outcomeOf(type: string): 'success' | 'failure' {
  if (FAILURE_TYPES.has(type)) return 'failure';
  for (const ending of FAILURE_ENDINGS) if (type.endsWith(ending)) return 'failure';
  return 'success';
}
