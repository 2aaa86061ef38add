/**
 * The operator's part of the lifecycle, as pure planners like schedule.ts.
 *
 *  - rotate: start a rotation now. The new key is published first and signs once the publish
 *    lead has passed (an existing `next` key is brought forward to that point).
 *  - rotate immediately: the new key signs at once. Relying parties that cached the JWKS less
 *    than JWKS_MAX_AGE ago must refetch on the unknown kid (most libraries do, some only later).
 *  - revoke: the key leaves the JWKS and is distrusted at once; if it was signing, another key
 *    takes over first, so there is never a moment without a signing key.
 */

import type { SigningAlg } from '../config/algorithms.ts';
import type { KeyRecord } from '../storage/port.ts';
import { KeyOperationError } from './errors.ts';
import type { KeyPolicy } from './policy.ts';
import { keysOf } from './schedule.ts';
import type { Step } from './steps.ts';

export interface RotateRequest {
  /** One algorithm, or all configured ones. */
  alg?: SigningAlg | undefined;
  immediate?: boolean | undefined;
}

export function planRotate(keys: readonly KeyRecord[], now: Date, policy: KeyPolicy, request: RotateRequest): Step[] {
  if (request.alg && !policy.algorithms.includes(request.alg)) {
    throw new KeyOperationError('unknown_algorithm', `${request.alg} is not in KEY_ALGORITHMS (${policy.algorithms.join(', ')})`);
  }
  const algs = request.alg ? [request.alg] : policy.algorithms;
  return algs.map((alg): Step => {
    const { currents, nexts } = keysOf(keys, alg);
    const demote = currents.map((key) => key.kid);
    const [next] = nexts;
    if (request.immediate) {
      return next ? { type: 'activate', alg, kid: next.kid, demote } : { type: 'create', alg, state: 'current', activatesAt: now, demote };
    }
    if (next) {
      const safe = new Date(Math.max(next.createdAt.getTime() + policy.publishLead, now.getTime()));
      return { type: 'reschedule', kid: next.kid, activatesAt: safe };
    }
    return { type: 'create', alg, state: 'next', activatesAt: new Date(now.getTime() + policy.publishLead), demote: [] };
  });
}

export function planRevoke(keys: readonly KeyRecord[], kid: string, now: Date): Step[] {
  const key = keys.find((candidate) => candidate.kid === kid);
  if (!key) throw new KeyOperationError('key_not_found', `no key with kid ${kid}`);
  if (key.state === 'revoked') throw new KeyOperationError('key_already_revoked', `key ${kid} is already revoked`);
  const steps: Step[] = [];
  const alg = key.alg as SigningAlg;
  const { currents, nexts } = keysOf(keys, alg);
  if (key.state === 'current' && currents.length === 1) {
    // The replacement signs before the revoked key disappears: no instance is ever without one.
    const next = nexts.find((candidate) => candidate.kid !== kid);
    steps.push(next ? { type: 'activate', alg, kid: next.kid, demote: [] } : { type: 'create', alg, state: 'current', activatesAt: now, demote: [] });
  }
  steps.push({ type: 'revoke', kid, alg: key.alg, from: key.state });
  return steps;
}
