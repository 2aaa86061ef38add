/**
 * The password lifecycle's metrics:
 *   - `portcullis_breach_check_total{result}`: every breach lookup (policy and sign-in), result ∈
 *     found | clean | unavailable (never the password or its hash prefix);
 *   - `portcullis_mail_outbox_pending`: rows in the mail outbox, read at scrape time, so sending
 *     mail pays nothing.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { BreachCheck, BreachVerdict } from '../passwords/types.ts';

const RESULT: Record<BreachVerdict, string> = { breached: 'found', clean: 'clean', unavailable: 'unavailable' };

/** The breach check, counting each lookup's verdict (a lookup with the check off asks nothing and is not counted). */
export function countBreachLookups(check: BreachCheck, registry: Registry): BreachCheck {
  const counter = breachCheckCounter(registry);
  return {
    get enabled() {
      return check.enabled;
    },
    async lookup(password) {
      const verdict = await check.lookup(password);
      if (check.enabled) counter.inc({ result: RESULT[verdict] });
      return verdict;
    },
  };
}

export function breachCheckCounter(registry: Registry) {
  return new Counter({
    name: 'portcullis_breach_check_total',
    help: 'Passwords looked up in the breach corpus, by result (found, clean, unavailable).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
}

export function registerOutboxGauge(registry: Registry, pending: () => Promise<number>): void {
  new Gauge({
    name: 'portcullis_mail_outbox_pending',
    help: 'Messages in the mail outbox not yet delivered.',
    registers: [registry],
    async collect() {
      this.set(await pending());
    },
  });
}
