/**
 * What reset and registration share: their dependencies, the owner a policy check is about,
 * the address budget that may answer 429, and background work that logs its failures.
 */
import type { AccountService } from '../accounts/service.ts';
import type { AuditBus } from '../audit/bus.ts';
import type { DimensionName } from '../lockout/dimensions.ts';
import type { Subject } from '../lockout/keys.ts';
import type { Limiter } from '../lockout/limiter.ts';
import { refusal } from '../lockout/refusals.ts';
import type { Outbox } from '../mail/outbox.ts';
import { DomainError } from '../platform/errors.ts';
import type { Logger } from '../platform/logger.ts';
import type { AccountRecord, AccountRepository } from '../storage/port.ts';

export interface SelfServiceDeps {
  limiter: Limiter;
  outbox: Outbox;
  audit: AuditBus;
  logger: Logger;
  /** Epoch ms: link lifetimes are judged by it (tests move it). */
  now: () => number;
  /** Links in mail start with it. */
  issuer: string;
}

export type PasswordAccounts = Pick<AccountService, 'findById' | 'findByUsername' | 'setPassword' | 'create'>;

export const linkInvalid = () => new DomainError('link_invalid', 'This link has expired or has already been used. Ask for a new one.');

/** Counts one request of `subject` (an address, a person) in a budget; past it, 429 with the wait (the same for every identifier). */
export async function admit(limiter: Limiter, dimension: DimensionName, subject: Subject): Promise<void> {
  const verdict = await limiter.check(dimension, subject);
  if (!verdict.allowed) throw refusal(verdict, 'request');
  await limiter.fail(dimension, subject);
}

/** Work started after the answer went out: never awaited by the request, failures logged. */
export function track(logger: Logger, failure: string) {
  const running = new Set<Promise<void>>();
  return {
    start(task: () => Promise<void>): void {
      const promise = task()
        .catch((error: unknown) => logger.error({ err: error instanceof Error ? error.message : String(error) }, failure))
        .finally(() => running.delete(promise));
      running.add(promise);
    },
    async idle(): Promise<void> {
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}

/** The person whose email is exactly this (lower-cased): the repository searches by prefix, the address is among the first. */
export async function findByEmail(repo: Pick<AccountRepository, 'search'>, email: string): Promise<AccountRecord | undefined> {
  const wanted = email.trim().toLowerCase();
  const found = await repo.search({ q: wanted, limit: 50 });
  return found.find((account) => account.email === wanted);
}
