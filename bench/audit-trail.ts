/**
 * `node bench/audit-trail.ts`: the embedded audit trail at scale (issue 17). Writes
 * BENCH_AUDIT_RECORDS (default 1 000 000) records through a real chain (MACs and all) into the
 * NDJSON day files, spread over BENCH_AUDIT_DAYS (30) days, then times, each with the resident
 * memory before/after and the event loop's longest delay (perf_hooks.monitorEventLoopDelay):
 * - a filtered page (50 newest of one person's records);
 * - a filter that matches nothing (the whole trail is read: the worst case);
 * - an NDJSON export of one type (every match, serialised as the admin API does, to a null sink);
 * - verify over the whole trail.
 * Prints one JSON report on stdout; progress on stderr.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { auditItem } from '../src/admin/audit-trail.ts';
import { createAuditChain } from '../src/audit/chain.ts';
import { createAuditMacs } from '../src/audit/macs.ts';
import { verifyTrail } from '../src/audit/verify.ts';
import { createEmbeddedStore } from '../src/storage/embedded/index.ts';
import type { AuditFilter } from '../src/storage/port.ts';

const RECORDS = Number(process.env.BENCH_AUDIT_RECORDS ?? 1_000_000);
const DAYS = Number(process.env.BENCH_AUDIT_DAYS ?? 30);
const TYPES = ['login.success', 'login.failed', 'mfa.verified', 'session.ended', 'admin.users.update', 'password.changed'];
const log = (line: string) => process.stderr.write(`bench audit: ${line}\n`);
const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

interface Figure {
  ms: number;
  matched: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  maxEventLoopDelayMs: number;
}

async function measure(run: () => Promise<number>): Promise<Figure> {
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = performance.now();
  const matched = await run();
  const ms = performance.now() - started;
  delay.disable();
  return {
    ms: Math.round(ms),
    matched,
    rssBeforeMiB: mib(rssBefore),
    rssAfterMiB: mib(process.memoryUsage().rss),
    maxEventLoopDelayMs: Math.round((delay.max / 1e6) * 10) / 10,
  };
}

const dir = await mkdtemp(join(tmpdir(), 'portcullis-bench-audit-'));
try {
  const store = await createEmbeddedStore(dir);
  const macs = createAuditMacs([randomBytes(32).toString('base64url')]);
  const chain = createAuditChain({ repo: store.audit, macs });
  const start = Date.now() - DAYS * 86_400_000;
  const step = (DAYS * 86_400_000) / RECORDS;
  log(`writing ${RECORDS} records over ${DAYS} days into ${dir}`);
  const writeStarted = performance.now();
  for (let i = 0; i < RECORDS; i += 1) {
    await chain.append({
      id: `bench-${i}`,
      type: TYPES[i % TYPES.length] as string,
      at: new Date(start + i * step),
      accountId: `person-${i % 10_000}`,
      clientId: `client-${i % 20}`,
      ip: `198.51.${(i >> 8) % 256}.${i % 256}`,
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
      actor: { kind: 'person', id: `person-${i % 10_000}` },
      outcome: i % 6 === 1 ? 'failure' : 'success',
      detail: { method: 'password', requestCount: i % 7 },
    });
    if (i > 0 && i % 200_000 === 0) log(`${i} written`);
  }
  const writeSeconds = (performance.now() - writeStarted) / 1000;
  log(`written in ${writeSeconds.toFixed(1)} s`);

  const page = (filter: AuditFilter, limit: number) => async () => {
    let n = 0;
    for await (const _ of store.audit.query(filter)) if (++n >= limit) break;
    return n;
  };
  const exportNdjson = (filter: AuditFilter) => async () => {
    let lines = 0;
    async function* body() {
      let chunk = '';
      let count = 0;
      for await (const hit of store.audit.query(filter)) {
        chunk += `${JSON.stringify(auditItem(hit.record))}\n`;
        lines += 1;
        if (++count === 100) {
          yield chunk;
          chunk = '';
          count = 0;
        }
      }
      if (chunk) yield chunk;
    }
    await pipeline(Readable.from(body()), new Writable({ write: (_chunk, _encoding, done) => done() }));
    return lines;
  };

  log('filtered page');
  const filteredPage = await measure(page({ accountId: 'person-42' }, 50));
  log('filter matching nothing (full scan)');
  const fullScan = await measure(page({ accountId: 'nobody' }, 50));
  log('NDJSON export of login.failed');
  const ndjsonExport = await measure(exportNdjson({ typePrefix: 'login.failed' }));
  log('verify');
  const verify = await measure(async () => (await verifyTrail({ repo: store.audit, macs, liveHeads: () => [chain.head()] })).checked);
  await store.close();
  process.stdout.write(
    `${JSON.stringify({ records: RECORDS, days: DAYS, writeSeconds: Math.round(writeSeconds), recordsPerSecond: Math.round(RECORDS / writeSeconds), filteredPage, fullScan, ndjsonExport, verify }, null, 2)}\n`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
