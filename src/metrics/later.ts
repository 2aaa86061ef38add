/**
 * Registration points for metrics whose modules are not merged yet. Each is ready to be wired in
 * app.ts once its module exists (and listed in docs/operations.md then):
 *   - the breach check (passwords/): `breachCheckCounter(metrics.registry)` and
 *     `.inc({ result })` with result ∈ found | clean | unavailable (never the password or its hash prefix);
 *   - the mail outbox (mail/): `registerOutboxGauge(metrics.registry, () => outbox.pending())`,
 *     read at scrape time, so sending mail pays nothing.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

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
