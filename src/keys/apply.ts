/**
 * Carries out planned steps against the key repository. Every change of state is a conditional
 * write (`transition(kid, expectedState, patch)`), so a step that another instance already took
 * is skipped rather than done twice. Each change is announced on the audit bus.
 */
import type { AuditBus } from '../audit/bus.ts';
import type { KeyRecord, KeyRepository } from '../storage/port.ts';
import { generateKeyRecord } from './generate.ts';
import type { KeyPolicy } from './policy.ts';
import type { Sealer } from './sealing.ts';
import type { Step } from './steps.ts';

export interface ApplyDeps {
  repo: KeyRepository;
  sealer: Sealer;
  audit: AuditBus;
  policy: KeyPolicy;
}

/** Audit event names, one per kind of change. */
export const KEY_EVENTS = {
  created: 'key.created',
  published: 'key.published',
  rotated: 'key.rotated',
  rescheduled: 'key.rescheduled',
  demoted: 'key.demoted',
  retired: 'key.retired',
  revoked: 'key.revoked',
} as const;

/** Returns how many changes were written (0: nothing to do, or others were first). */
export async function applySteps(steps: readonly Step[], now: Date, deps: ApplyDeps): Promise<number> {
  const { repo, audit } = deps;
  let changes = 0;

  async function demote(kids: readonly string[]): Promise<string[]> {
    const done: string[] = [];
    const retiresAt = new Date(now.getTime() + deps.policy.retention());
    for (const kid of kids) {
      if (await repo.transition(kid, 'current', { state: 'previous', deactivatedAt: now, retiresAt })) done.push(kid);
    }
    changes += done.length;
    return done;
  }

  for (const step of steps) {
    switch (step.type) {
      case 'create': {
        const record: KeyRecord = await generateKeyRecord(step.alg, step.state, deps.sealer, now, { activatesAt: step.activatesAt });
        await repo.insert(record);
        changes += 1;
        const detail = { kid: record.kid, alg: step.alg, activatesAt: step.activatesAt.toISOString() };
        if (step.state === 'next') {
          audit.emit({ type: KEY_EVENTS.published, detail });
        } else {
          const replaced = await demote(step.demote);
          audit.emit({ type: replaced.length ? KEY_EVENTS.rotated : KEY_EVENTS.created, detail: { ...detail, replaced } });
        }
        break;
      }
      case 'activate': {
        // The new key signs before the old one stops: a reader in between sees two current
        // keys and uses the newest, never none.
        if (!(await repo.transition(step.kid, 'next', { activatesAt: now, state: 'current' }))) break;
        changes += 1;
        const replaced = await demote(step.demote);
        audit.emit({ type: KEY_EVENTS.rotated, detail: { kid: step.kid, alg: step.alg, replaced } });
        break;
      }
      case 'reschedule': {
        if (!(await repo.transition(step.kid, 'next', { activatesAt: step.activatesAt }))) break;
        changes += 1;
        audit.emit({ type: KEY_EVENTS.rescheduled, detail: { kid: step.kid, activatesAt: step.activatesAt.toISOString() } });
        break;
      }
      case 'demote': {
        const done = await demote(step.kids);
        if (done.length) audit.emit({ type: KEY_EVENTS.demoted, detail: { kids: done } });
        break;
      }
      case 'retire': {
        if (!(await repo.transition(step.kid, 'previous', { state: 'retired' }))) break;
        changes += 1;
        audit.emit({ type: KEY_EVENTS.retired, detail: { kid: step.kid } });
        break;
      }
      case 'revoke': {
        if (!(await repo.transition(step.kid, step.from, { state: 'revoked', revokedAt: now }))) break;
        changes += 1;
        audit.emit({ type: KEY_EVENTS.revoked, detail: { kid: step.kid, alg: step.alg, was: step.from } });
        break;
      }
    }
  }
  return changes;
}
