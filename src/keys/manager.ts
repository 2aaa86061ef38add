/**
 * One instance's view of the signing keys. It keeps the Provider's key set in step with the
 * shared store: re-reading it when another instance signals a change and every sync interval
 * regardless, running the schedule when it holds the lease, and carrying out operator requests.
 * Work is queued so that two changes never interleave within an instance; the lease keeps
 * instances from interleaving with each other.
 */
import type { AuditBus } from '../audit/bus.ts';
import type { Logger } from '../platform/logger.ts';
import type { KeyRecord, Store } from '../storage/port.ts';
import { applySteps } from './apply.ts';
import { KeyOperationError } from './errors.ts';
import { type PrivateJwk, privateJwks, publishedKeys } from './keystore.ts';
import { LEASE_SECONDS, withLock } from './lock.ts';
import { planRevoke, planRotate, type RotateRequest } from './operations.ts';
import type { KeyPolicy } from './policy.ts';
import { keysOf, nextDueAt, planSchedule } from './schedule.ts';
import type { Sealer } from './sealing.ts';
import type { KeySignal } from './signal.ts';
import type { Step } from './steps.ts';

export interface KeyManagerDeps {
  store: Pick<Store, 'keys' | 'records'>;
  sealer: Sealer;
  audit: AuditBus;
  logger: Logger;
  policy: KeyPolicy;
  /** The schedule's clock; tests move it instead of waiting. */
  now: () => Date;
  signal: KeySignal;
  /** Names this instance as lease holder and as sender of signals. */
  instanceId: string;
  /** Milliseconds between two re-reads of the store (KEY_SYNC_INTERVAL). */
  syncIntervalMs: number;
  /** Runs the next scheduled step after `ms`; returns a cancel function. Tests fire it by hand. */
  setTimer?: SetTimer;
}

export type SetTimer = (run: () => Promise<void>, ms: number) => () => void;

const realTimer: SetTimer = (run, ms) => {
  const handle = setTimeout(() => void run(), ms);
  handle.unref();
  return () => clearTimeout(handle);
};

export interface KeyManager {
  /** Makes sure every configured algorithm has a signing key; returns the set to build a Provider with. */
  prepare(): Promise<PrivateJwk[]>;
  /** Follows changes from now on (signal and poll); `onChange` receives each new key set. */
  watch(onChange: (jwks: PrivateJwk[]) => void): Promise<void>;
  /** One poll: runs the schedule if this instance gets the lease, then re-reads the keys. */
  sync(): Promise<void>;
  list(): Promise<KeyRecord[]>;
  rotate(request: RotateRequest): Promise<KeyRecord[]>;
  revoke(kid: string): Promise<KeyRecord[]>;
  close(): Promise<void>;
}

/** 5 s: an operator request waits this long for a lease another instance holds for a moment. */
const OPERATOR_WAIT_MS = 5000;
/** 1 s: an overdue step (another instance holds the lease) is retried this often until the sync. */
const OVERDUE_RETRY_MS = 1000;
/** setTimeout's ceiling (about 24.8 days); a later step is re-planned when this fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function createKeyManager(deps: KeyManagerDeps): KeyManager {
  const { store, policy, logger } = deps;
  let fingerprint = '';
  let onChange: ((jwks: PrivateJwk[]) => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let cancelDue: (() => void) | undefined;
  const setTimer = deps.setTimer ?? realTimer;
  let watching = false;
  let queue: Promise<unknown> = Promise.resolve();

  function serial<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Re-reads the keys; a changed set (which keys, in which state) is opened and handed to
   * `onChange` before it is adopted. Returns the new set, or undefined when nothing changed.
   */
  async function reload(): Promise<PrivateJwk[] | undefined> {
    const published = publishedKeys(await store.keys.list());
    const print = published.map((key) => `${key.kid}:${key.state}`).join(',');
    if (print === fingerprint) return undefined;
    const jwks = privateJwks(published, deps.sealer);
    // If building the Provider fails, the fingerprint stays and the next sync tries again.
    if (onChange) onChange(jwks);
    if (fingerprint) logger.info({ keys: print }, 'signing keys changed; provider rebuilt');
    fingerprint = print;
    return jwks;
  }

  /** Plans and applies under the lease; the schedule always runs after an operator's plan. */
  async function change(plan: ((keys: KeyRecord[], now: Date) => Step[]) | undefined, waitMs: number): Promise<boolean> {
    const result = await withLock(store.records, deps.instanceId, waitMs, async () => {
      const now = deps.now();
      const apply = { repo: store.keys, sealer: deps.sealer, audit: deps.audit, policy };
      let changes = plan ? await applySteps(plan(await store.keys.list(), now), now, apply) : 0;
      changes += await applySteps(planSchedule(await store.keys.list(), now, policy), now, apply);
      return changes;
    });
    if (!result.ran) return false;
    if (result.value > 0) await deps.signal.publish();
    return true;
  }

  async function operate(plan: (keys: KeyRecord[], now: Date) => Step[]): Promise<KeyRecord[]> {
    return serial(async () => {
      if (!(await change(plan, OPERATOR_WAIT_MS))) {
        throw new KeyOperationError('keys_busy', 'another instance is changing the keys; try again');
      }
      await reload();
      await planNext();
      return store.keys.list();
    });
  }

  /** A timer for the schedule's next step, so it runs when due rather than at the next poll. */
  async function planNext(): Promise<void> {
    if (!watching) return;
    const due = nextDueAt(await store.keys.list(), policy);
    cancelDue?.();
    cancelDue = undefined;
    if (!due || !watching) return;
    const wait = due.getTime() - deps.now().getTime();
    cancelDue = setTimer(
      () => sync().catch((error: unknown) => logger.error({ err: error }, 'scheduled key change failed; retrying at the next interval')),
      Math.min(MAX_TIMER_MS, wait > 0 ? wait : OVERDUE_RETRY_MS),
    );
  }

  const sync = () =>
    serial(async () => {
      await change(undefined, 0);
      await reload();
      await planNext();
    });

  return {
    async prepare() {
      const ready = (keys: KeyRecord[]) => policy.algorithms.every((alg) => keysOf(keys, alg).currents.length > 0);
      // On a first start two instances could each create a first key; waiting for the lease
      // makes one of them do it and the other find it. One lease lifetime plus 5 s outlasts even
      // a holder that crashed with the lease.
      const waitMs = ready(await store.keys.list()) ? 0 : (LEASE_SECONDS + 5) * 1000;
      return serial(async () => {
        await change(undefined, waitMs);
        const jwks = ready(await store.keys.list()) ? await reload() : undefined;
        if (!jwks) throw new Error('no signing key for every configured algorithm; another instance holds the key lease');
        return jwks;
      });
    },
    async watch(listener) {
      onChange = listener;
      watching = true;
      if (policy.rotationInterval < policy.publishLead) {
        // planAlg stretches the interval to the lead: publication in every cache comes first.
        logger.warn(
          { rotation_interval_s: policy.rotationInterval / 1000, publish_lead_s: policy.publishLead / 1000 },
          'KEY_ROTATION_INTERVAL is shorter than the publish lead (JWKS_MAX_AGE + KEY_SYNC_INTERVAL): keys rotate every publish lead instead',
        );
      }
      await serial(planNext);
      await deps.signal.subscribe(() => {
        serial(async () => {
          await reload();
          await planNext();
        }).catch((error: unknown) => logger.error({ err: error }, 'reloading signing keys failed'));
      });
      timer = setInterval(() => {
        sync().catch((error: unknown) => logger.error({ err: error }, 'key sync failed; retrying at the next interval'));
      }, deps.syncIntervalMs);
      timer.unref();
    },
    sync,
    list: () => store.keys.list(),
    rotate: (request) => operate((keys, now) => planRotate(keys, now, policy, request)),
    revoke: (kid) => operate((keys, now) => planRevoke(keys, kid, now)),
    async close() {
      watching = false;
      clearInterval(timer);
      cancelDue?.();
      await deps.signal.close();
      await queue;
    },
  };
}
