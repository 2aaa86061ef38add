/**
 * The scheduled part of the lifecycle, per algorithm:
 *
 *   next ──(activatesAt)──► current ──(next activates)──► previous ──(retiresAt)──► retired
 *
 * A `next` key is created one publish lead before the current key has served a rotation
 * interval, so it is in every cache before it signs. Pure: same keys and time, same steps.
 */

import type { SigningAlg } from '../config/algorithms.ts';
import type { KeyRecord } from '../storage/port.ts';
import type { KeyPolicy } from './policy.ts';
import type { Step } from './steps.ts';

/** When a current key started signing (keys created `current` have no activation time). */
export const activatedAt = (key: KeyRecord): Date => key.activatesAt ?? key.createdAt;

const time = (date: Date | undefined) => date?.getTime() ?? 0;

export interface AlgKeys {
  /** Newest activation first: the first one signs. */
  currents: KeyRecord[];
  /** Earliest activation first. */
  nexts: KeyRecord[];
}

export function keysOf(keys: readonly KeyRecord[], alg: SigningAlg): AlgKeys {
  const mine = keys.filter((key) => key.alg === alg);
  return {
    currents: mine.filter((key) => key.state === 'current').sort((a, b) => time(activatedAt(b)) - time(activatedAt(a))),
    nexts: mine.filter((key) => key.state === 'next').sort((a, b) => time(a.activatesAt) - time(b.activatesAt)),
  };
}

function planAlg(keys: readonly KeyRecord[], alg: SigningAlg, now: Date, policy: KeyPolicy): Step[] {
  const { currents, nexts } = keysOf(keys, alg);
  const [current, ...extra] = currents;
  const [next] = nexts;
  if (!current) {
    // Nothing signs: the next key (if any) takes over now, otherwise a first key is made.
    return [next ? { type: 'activate', alg, kid: next.kid, demote: [] } : { type: 'create', alg, state: 'current', activatesAt: now, demote: [] }];
  }
  if (next && time(next.activatesAt) <= now.getTime()) {
    return [{ type: 'activate', alg, kid: next.kid, demote: currents.map((key) => key.kid) }];
  }
  const steps: Step[] = extra.length ? [{ type: 'demote', kids: extra.map((key) => key.kid) }] : [];
  const rotationDue = time(activatedAt(current)) + policy.rotationInterval;
  if (!next && now.getTime() >= rotationDue - policy.publishLead) {
    // A short interval (shorter than the lead) stretches to the lead: publication comes first.
    const activatesAt = new Date(Math.max(rotationDue, now.getTime() + policy.publishLead));
    steps.push({ type: 'create', alg, state: 'next', activatesAt, demote: [] });
  }
  return steps;
}

export function planSchedule(keys: readonly KeyRecord[], now: Date, policy: KeyPolicy): Step[] {
  const steps = policy.algorithms.flatMap((alg) => planAlg(keys, alg, now, policy));
  for (const key of keys) {
    if (key.state !== 'previous') continue;
    // Every demotion stores retiresAt; the fallback only guards records written some other way.
    const retiresAt = key.retiresAt?.getTime() ?? time(key.deactivatedAt ?? key.createdAt) + policy.retention();
    if (retiresAt <= now.getTime()) steps.push({ type: 'retire', kid: key.kid });
  }
  return steps;
}

/**
 * When the schedule next has something to do: a `next` key to create (one lead before the
 * interval ends), one to activate, a `previous` one to retire. The manager sets a timer for it
 * so a change happens when due, not at the first sync after (finding 21).
 */
export function nextDueAt(keys: readonly KeyRecord[], policy: KeyPolicy): Date | undefined {
  const due: number[] = [];
  for (const alg of policy.algorithms) {
    const { currents, nexts } = keysOf(keys, alg);
    const [current] = currents;
    const [next] = nexts;
    if (next) due.push(time(next.activatesAt));
    else if (current) due.push(time(activatedAt(current)) + policy.rotationInterval - policy.publishLead);
  }
  for (const key of keys) {
    if (key.state === 'previous') due.push(key.retiresAt?.getTime() ?? time(key.deactivatedAt ?? key.createdAt) + policy.retention());
  }
  return due.length ? new Date(Math.min(...due)) : undefined;
}
